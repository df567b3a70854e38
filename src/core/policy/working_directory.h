#pragma once
// Rule "container.working-dir": a working directory (create's WorkingDir,
// exec's WorkingDir) inside /proc/self, /proc/thread-self or /proc/<pid>.
// Such a directory can reach host files through a descriptor the runtime
// leaked into the container (CVE-2024-21626, runc before 1.1.12). moat-runc
// refuses it as well; refusing it here gives the developer the reason
// directly. The path lives in the container, so it is read lexically.

#include <string_view>

#include "core/policy/body_fields.h"
#include "core/policy/decision.h"

namespace moat::core::policy {

// The one predicate of this rule, for moatd's text check and for moat-runc's
// check of the text and of where the path resolves in the container: true
// for /proc/self, /proc/thread-self, /proc/<pid> and anything below them,
// after lexical normalisation ("/proc/x/../self/fd" is inside).
bool is_process_directory_path(std::string_view path);

// `fields` holds "WorkingDir" (the create body or the exec body).
Decision judge_working_directory(const Fields& fields);

}  // namespace moat::core::policy
