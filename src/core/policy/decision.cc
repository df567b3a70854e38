#include "core/policy/decision.h"

#include <utility>

namespace moat::core::policy {

std::string Decision::message() const {
  if (allowed) return "Moat allowed this request (rule " + rule + ").";
  std::string out = "Moat refused this request: " + reason;
  out += setting.empty() ? " (rule " + rule + ")." : " (setting " + setting + ").";
  out += remedy.empty() ? " Nothing an admin can change allows this." : " " + remedy;
  return out;
}

Decision Decision::allow(std::string rule) {
  return Decision{true, std::move(rule), "", "", "", false};
}

Decision Decision::deny(std::string rule, std::string setting, std::string reason,
                        std::string remedy) {
  return Decision{false, std::move(rule), std::move(setting), std::move(reason), std::move(remedy), false};
}

std::string admin_remedy(const std::string& setting_key, bool value) {
  // "moat.allowSwarm" -> "moat": {"allowSwarm": {"value": true}}
  std::string nested = "{\"value\": " + std::string(value ? "true" : "false") + "}";
  std::string key = setting_key;
  std::size_t dot = key.rfind('.');
  while (dot != std::string::npos) {
    nested = "{\"" + key.substr(dot + 1) + "\": " + nested + "}";
    key.resize(dot);
    dot = key.rfind('.');
  }
  return "An admin can allow it with \"" + key + "\": " + nested + " in admin-settings.json.";
}

}  // namespace moat::core::policy
