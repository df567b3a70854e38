#pragma once
// The container endpoints whose bodies carry privileges: create, update and
// exec create. Each combines the rule families (privileges, mounts, devices,
// namespaces, security options, sysctls, runtime choice, host resources,
// working directory), in that order; the first refusal is the answer.
//
// The one rule decided here: container.host-config-at-root. dockerd 20.10
// still reads HostConfig fields at the top level of a create body when
// "HostConfig" is absent. moatd's schema refuses them; the policy refuses
// them as well rather than trust that it only ever sees /HostConfig.

#include "core/policy/decision.h"
#include "core/policy/policy_context.h"

namespace moat::core::policy {

// POST /containers/create
Decision judge_container_create(const ApiRequest& request, const PolicyContext& context);
// POST /containers/{id}/update: only Resources and RestartPolicy exist there
// in API v1.41; the device and cgroup-parent rules apply to them.
Decision judge_container_update(const ApiRequest& request, const PolicyContext& context);
// POST /containers/{id}/exec
Decision judge_exec_create(const ApiRequest& request, const PolicyContext& context);

}  // namespace moat::core::policy
