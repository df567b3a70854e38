#pragma once
// The settings a running stack uses, and how it changes them: a start needs
// a valid admin file (or none at the default path: the built-in policy); a
// reload that finds the file broken keeps the last good settings and says so.

#include <string>
#include <vector>

#include "core/result/result.h"
#include "core/settings/admin_settings.h"
#include "core/settings/effective_settings.h"
#include "core/settings/user_settings.h"

namespace moat::core::settings {

struct SettingsState {
  std::string admin_path;
  bool builtin_only = false;          // no admin file: Moat's built-in policy
  AdminSettings admin;                // the last good admin settings
  UserSettings user;
  bool using_last_good = false;       // the file changed and is now refused
  // No settings could be loaded at all: there is no policy, so everything
  // but read-only status requests is refused until a reload succeeds.
  bool without_policy = false;
  std::vector<std::string> problems;  // why, when using_last_good or without_policy

  EffectiveSettings effective() const { return EffectiveSettings(admin, user); }
  std::string source() const;
};

Result<SettingsState, std::vector<std::string>> load_settings_state(
    const std::string& admin_path, const std::string& user_path, bool missing_admin_means_builtin);

// The state of a process that must keep running although its settings
// cannot be loaded: no policy, and the problems that say why.
SettingsState settings_without_policy(const std::string& admin_path, std::vector<std::string> problems);

// Re-reads both files; returns true if anything in force changed.
bool reload_settings_state(SettingsState& state, const std::string& user_path,
                           bool missing_admin_means_builtin);

}  // namespace moat::core::settings
