#pragma once
// Finding and removing the mounts a stack's engine left under its roots.

#include <string>
#include <vector>

#include "core/result/result.h"

namespace moat::core::sys {

// Mount points at or below `root`, the most recently mounted first.
std::vector<std::string> mounts_under(const std::string& root);

// Detaches every mount at or below `root`; reports the ones that stay.
Result<void> unmount_all_under(const std::string& root);

}  // namespace moat::core::sys
