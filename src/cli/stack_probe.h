#pragma once
// Asking a stack's components whether they answer.

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/stack/layout.h"

namespace moat::cli {

bool engine_answers(const core::stack::Layout& layout);
std::optional<std::string> engine_version(const core::stack::Layout& layout);
std::optional<nlohmann::json> moatd_status(const core::stack::Layout& layout);
std::string now_rfc3339();

}  // namespace moat::cli
