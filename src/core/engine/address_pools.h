#pragma once
// The address ranges the engine takes a new network's subnet from: the
// admin's "default-address-pools" in linuxVM.dockerDaemonOptions, or the
// engine's built-in pools when the admin names none.

#include <vector>

#include "core/net/ip_prefix.h"
#include "core/result/result.h"
#include "core/settings/effective_settings.h"

namespace moat::core::engine {

// The bases of the pools (a pool's "size" only says how the engine cuts
// it). An error when the admin's value is not a list of {"base": prefix}.
Result<std::vector<net::IpPrefix>> address_pools(const settings::EffectiveSettings& settings);

}  // namespace moat::core::engine
