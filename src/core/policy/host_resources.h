#pragma once
// Rule family "host resources": where a container sits among the host's
// processes.
// - container.cgroup-parent: a container (or a build) stays in the cgroup
//   tree the engine gives it; a parent of the caller's choosing could take it
//   out of its limits or into a cgroup with other device rules.
// - container.oom-score-adj: a negative OomScoreAdj would make the kernel
//   kill host processes before the container's when memory runs out.

#include <string>

#include "core/policy/body_fields.h"
#include "core/policy/decision.h"

namespace moat::core::policy {

// `subject` names the request part: "--cgroup-parent /x".
Decision judge_cgroup_parent(const std::string& parent, const std::string& subject);

// HostConfig (or UpdateConfig): CgroupParent and OomScoreAdj.
Decision judge_host_resources(const Fields& host_config);

}  // namespace moat::core::policy
