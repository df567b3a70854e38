#include "core/settings/effective_settings.h"

#include <stdexcept>

#include "core/settings/setting_spec.h"

namespace moat::core::settings {

EffectiveSettings::EffectiveSettings(const AdminSettings& admin, const UserSettings& user) {
  for (const auto& spec : all_settings()) {
    EffectiveValue v{spec.default_value, ValueSource::kBuiltin, spec.locked_by_default};
    if (const auto lock = admin.locks.find(spec.key); lock != admin.locks.end()) {
      v.locked = lock->second;
    }
    if (spec.lock_pointer.empty()) v.locked = true;  // admin-only settings
    const auto from_admin = admin.values.find(spec.key);
    const auto from_user = user.values.find(spec.key);
    if (!v.locked && from_user != user.values.end()) {
      v.value = from_user->second;
      v.source = ValueSource::kDeveloper;
    } else if (from_admin != admin.values.end()) {
      v.value = from_admin->second.value;
      v.source = ValueSource::kAdmin;
    }
    values_.emplace(spec.key, std::move(v));
  }
}

const nlohmann::json& EffectiveSettings::value(std::string_view key) const {
  const auto it = values_.find(key);
  if (it == values_.end()) throw std::logic_error("unknown setting " + std::string(key));
  return it->second.value;
}

bool EffectiveSettings::locked(std::string_view key) const {
  const auto it = values_.find(key);
  return it == values_.end() || it->second.locked;
}

nlohmann::json EffectiveSettings::to_json() const {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [key, v] : values_) {
    out[key] = {{"value", v.value}, {"source", to_string(v.source)}, {"locked", v.locked}};
  }
  return out;
}

std::string_view to_string(ValueSource source) {
  switch (source) {
    case ValueSource::kBuiltin: return "built-in";
    case ValueSource::kAdmin: return "admin";
    case ValueSource::kDeveloper: return "developer";
  }
  return "unknown";
}

}  // namespace moat::core::settings
