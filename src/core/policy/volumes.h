#pragma once
// POST /volumes/create: the driver (volume.driver-plugin) and, for the local
// driver, what it would mount (volume.local-options, and a bind's device as
// a host path): both rules live in mounts.h, shared with container mounts.

#include "core/policy/decision.h"
#include "core/policy/policy_context.h"

namespace moat::core::policy {

Decision judge_volume_create(const ApiRequest& request, const PolicyContext& context);

}  // namespace moat::core::policy
