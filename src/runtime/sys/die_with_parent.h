#pragma once
// For the runc that moat-runc starts: it must not outlive moat-runc. A create
// whose moat-runc was killed is undone by the engine's next delete; a runc
// still running after that delete could make its container on a range the
// delete freed.

#include <sys/prctl.h>
#include <unistd.h>

#include <csignal>

namespace moat::runtime::sys {

// Call first thing in the child, with the pid the parent had before it
// forked. False when the parent is already gone (the child must exit then):
// the death signal only covers a parent that dies after it was set. Two
// system calls and nothing else, so a vfork child may call it.
inline bool die_with_parent(pid_t parent) {
  return ::prctl(PR_SET_PDEATHSIG, SIGKILL) == 0 && ::getppid() == parent;
}

}  // namespace moat::runtime::sys
