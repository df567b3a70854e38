#pragma once
// The one table of every setting Moat reads from admin-settings.json: Docker
// Desktop's documented v2 keys and Moat's own (under "moat"). Validation,
// layering, `settings set` and `status` all work from this table, so a
// setting's shape, default and meaning are decided here and nowhere else.

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace moat::core::settings {

enum class ValueKind {
  kBool,
  kString,
  kInteger,          // bounded by min/max
  kEnum,             // one of `choices`
  kStringList,
  kStringOrList,     // Docker documents proxy.exclude both as "a,b" and as ["a","b"]
  kDaemonOptions,    // a string holding a JSON object of dockerd options
  kShareDirectories, // [{"path": "...", "sharedByDefault": bool}]
  kRegistries,       // Moat's registry allowlist entries
};

enum class Applicability {
  kEnforced,       // Moat acts on it
  kNotApplicable,  // meaningful only for Docker Desktop's VM or GUI; accepted and ignored
  kNotEnforced,    // meaningful on Linux but this build does not act on it; a warning
};

struct SettingSpec {
  std::string key;            // user-facing dotted name: "proxy.http"
  std::string value_pointer;  // JSON pointer of the value in admin-settings.json
  std::string lock_pointer;   // JSON pointer of the `locked` that governs it; empty: admin-only
  ValueKind kind;
  nlohmann::json default_value;
  Applicability applicability;
  std::string note;  // why not applicable / not enforced, or what it does
  std::vector<std::string> choices{};
  long long min = 0;
  long long max = 0;
  bool engine_setting = false;  // part of the engine's configuration: changes need an engine restart
  // Moat's built-in policy locks what isolation depends on; an admin file that
  // names the key decides for itself.
  bool locked_by_default = false;
};

std::span<const SettingSpec> all_settings();
const SettingSpec* find_setting(std::string_view key);
const SettingSpec* find_setting_by_value_pointer(std::string_view pointer);

// "/linuxVM/dockerDaemonOptions/value" -> "linuxVM.dockerDaemonOptions.value"
std::string dotted(std::string_view pointer);

}  // namespace moat::core::settings
