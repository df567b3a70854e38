#pragma once
// The settings in force: built-in defaults, then the admin file's unlocked
// values, then what the developer set, then the admin file's locked values.

#include <map>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/settings/admin_settings.h"
#include "core/settings/user_settings.h"

namespace moat::core::settings {

enum class ValueSource { kBuiltin, kAdmin, kDeveloper };

struct EffectiveValue {
  nlohmann::json value;
  ValueSource source = ValueSource::kBuiltin;
  bool locked = false;
};

class EffectiveSettings {
 public:
  EffectiveSettings(const AdminSettings& admin, const UserSettings& user);

  const nlohmann::json& value(std::string_view key) const;  // key must be in the table
  bool locked(std::string_view key) const;
  const std::map<std::string, EffectiveValue, std::less<>>& all() const { return values_; }

  // {"key": {"value": ..., "source": "admin", "locked": true}, ...}
  nlohmann::json to_json() const;

 private:
  std::map<std::string, EffectiveValue, std::less<>> values_;
};

std::string_view to_string(ValueSource source);

}  // namespace moat::core::settings
