#pragma once
// Rule "container.runtime": every container runs with the engine's default
// runtime, "runc", which under Moat is moat-runc on the engine's PATH. Naming
// any other runtime (io.containerd.runc.v2, a runtime registered by path...)
// would skip enhanced container isolation.

#include "core/policy/body_fields.h"
#include "core/policy/decision.h"

namespace moat::core::policy {

Decision judge_runtime(const Fields& host_config);

}  // namespace moat::core::policy
