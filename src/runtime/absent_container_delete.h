#pragma once
// The engine's shim ends every container with a second `delete --force ID`,
// after the real delete has removed it. runc then finds no directory for ID,
// has nothing to remove, and exits 0 without a word (runc 1.1.5, delete.go:
// a container that does not exist is no error under --force). Starting runc
// only to hear that cost 3.7 ms of every container's teardown, so moat-runc
// gives runc's answer itself, but only where it is certainly runc's: every
// other case still goes to runc.

#include "runtime/oci_cli/grammar.h"

namespace moat::runtime {

// True when `inv` is a forced delete of a container runc has no directory
// for, and it has been answered as runc would answer it: runc's log file
// opened (created if missing) as runc opens it, nothing printed, exit
// status 0. False, having done nothing else, for anything else.
bool answered_forced_delete_of_absent_container(const oci_cli::Invocation& inv);

}  // namespace moat::runtime
