#pragma once
// Rule "container.sysctl": HostConfig.Sysctls may set only sysctls that the
// kernel keeps per namespace, so a container changes its own view and never
// the host's:
//   kernel.msgmax, kernel.msgmnb, kernel.msgmni, kernel.sem, kernel.shmall,
//   kernel.shmmax, kernel.shmmni, kernel.shm_rmid_forced (IPC namespace),
//   fs.mqueue.* (IPC namespace),
//   net.* (network namespace) except net.core.*, most of which are global;
//   of those only net.core.somaxconn and net.core.xfrm_* are per namespace.
// Names are letters, digits, '.', '_' and '-' ('/' is another spelling of
// '.', refused so one name has one spelling). A value containing '+' or '='
// is refused: CRI-O's CVE-2022-0811 smuggled kernel.core_pattern through
// such a value, and no namespaced sysctl needs either character.

#include "core/policy/body_fields.h"
#include "core/policy/decision.h"

namespace moat::core::policy {

Decision judge_sysctls(const Fields& host_config);

}  // namespace moat::core::policy
