#pragma once
// Linux capability names as the OCI spec writes them ("CAP_SYS_ADMIN") and
// the host's capability bounding set as a bit mask.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result/result.h"

namespace moat::runtime::spec {

// Bit number of a capability name, or nothing for a name this table does
// not know (which callers treat as "not on the host").
std::optional<unsigned> capability_bit(std::string_view name);

// Name of a capability bit, or nothing past CAP_LAST_CAP.
std::optional<std::string_view> capability_name(unsigned bit);

// The CapBnd line of a /proc/<pid>/status text, as a mask (bit n = cap n).
Result<std::uint64_t> bounding_set_from_status(std::string_view status_text);

// Reads /proc/self/status. moat-runc runs as the engine's root in the host's
// namespaces, so its own bounding set is the host's.
Result<std::uint64_t> host_bounding_set();

}  // namespace moat::runtime::spec
