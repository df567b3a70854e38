#pragma once
// Reads Docker Desktop's admin-settings.json (format version 2) plus Moat's
// "moat" keys. Every problem is reported, each with line, column and key path,
// and any problem means the whole file is refused: a half-understood policy
// is never applied.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/json/strict_json.h"
#include "core/result/result.h"

namespace moat::core::settings {

struct SettingsProblem {
  core::json::Location where;
  std::string key_path;  // "linuxVM.dockerDaemonOptions.value"; empty for syntax errors
  std::string message;

  // "FILE:LINE:COL: KEY: MESSAGE"
  std::string format(std::string_view file) const;
};

struct AdminValue {
  nlohmann::json value;  // normalised
  bool locked = false;
};

struct AdminNote {
  std::string key;
  std::string message;  // "not applicable: ..." or "not enforced: ..."
};

struct AdminSettings {
  std::map<std::string, AdminValue> values;  // by setting key; only keys the file sets
  std::map<std::string, bool> locks;         // by setting key; only keys the file locks or unlocks
  std::vector<AdminNote> notes;
};

using AdminSettingsResult = Result<AdminSettings, std::vector<SettingsProblem>>;

AdminSettingsResult parse_admin_settings(std::string_view text);

// Reads `path` only if it is trusted (see file_trust.h), then parses it.
// Problems are formatted "FILE:LINE:COL: KEY: MESSAGE".
Result<AdminSettings, std::vector<std::string>> load_admin_settings(const std::string& path);

}  // namespace moat::core::settings
