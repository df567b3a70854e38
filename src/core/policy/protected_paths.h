#pragma once
// The host paths no container may reach through a bind mount, for a stack
// layout: Moat's sockets and state, the engine's data, the admin's settings,
// and the usual places of other engines' sockets and configuration.

#include <string>
#include <vector>

#include "core/policy/policy_context.h"
#include "core/stack/layout.h"

namespace moat::core::policy {

std::vector<ProtectedPath> protected_paths_for(const stack::Layout& layout);

}  // namespace moat::core::policy
