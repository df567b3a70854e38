#pragma once
// What developers set with `moatctl settings set`. moatd stores it in a
// root-owned file on their behalf; developers never write it themselves.

#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "core/result/result.h"

namespace moat::core::settings {

struct UserSettings {
  std::map<std::string, nlohmann::json> values;  // by setting key
  std::map<std::string, unsigned> set_by_uid;
};

class EffectiveSettings;

// A missing file is an empty layer; an unreadable or malformed one is an error.
Result<UserSettings> load_user_settings(const std::string& path);
Result<void> save_user_settings(const std::string& path, const UserSettings& settings);

// Settings travel and are stored as JSON, which holds Unicode text only: a
// name or value that is not UTF-8 is refused here, before anything is sent
// (moatctl) and again where the change is decided (check_developer_change).
Result<void> check_developer_text(const std::string& key, const std::string& text);

// Checks a developer's `settings set KEY VALUE` against the settings in force.
// `text` is taken as JSON when it parses as JSON, else as a string. Returns
// the value to store, or why it is refused.
Result<nlohmann::json> check_developer_change(const EffectiveSettings& current,
                                              const std::string& key, const std::string& text);

}  // namespace moat::core::settings
