#pragma once
// Checks one setting's value against its kind. Used for the admin file and
// for what a developer sets, so both are held to the same rules.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/settings/setting_spec.h"

namespace moat::core::settings {

struct ValueProblem {
  std::string sub_pointer;  // inside the value ("/0/path"); empty for the value itself
  std::string message;
};

// Normalises `value` in place (e.g. "a, b" -> ["a","b"] for exclude lists)
// and returns every problem found.
std::vector<ValueProblem> check_value(const SettingSpec& spec, nlohmann::json& value);

// "a string", "an array", ... for messages.
std::string describe_type(const nlohmann::json& value);

}  // namespace moat::core::settings
