#include "core/settings/settings_state.h"

#include <filesystem>

namespace moat::core::settings {

std::string SettingsState::source() const {
  return builtin_only ? "built-in policy (no " + admin_path + ")" : admin_path;
}

Result<SettingsState, std::vector<std::string>> load_settings_state(
    const std::string& admin_path, const std::string& user_path, bool missing_admin_means_builtin) {
  SettingsState state;
  state.admin_path = admin_path;
  std::error_code ec;
  if (missing_admin_means_builtin && !std::filesystem::exists(admin_path, ec) && !ec) {
    state.builtin_only = true;
  } else {
    auto admin = load_admin_settings(admin_path);
    if (!admin) return unexpected(std::move(admin).error());
    state.admin = std::move(admin).value();
  }
  auto user = load_user_settings(user_path);
  if (!user) return unexpected(std::vector<std::string>{user.error().message});
  state.user = std::move(user).value();
  return state;
}

SettingsState settings_without_policy(const std::string& admin_path, std::vector<std::string> problems) {
  SettingsState state;
  state.admin_path = admin_path;
  state.without_policy = true;
  state.problems = std::move(problems);
  return state;
}

bool reload_settings_state(SettingsState& state, const std::string& user_path,
                           bool missing_admin_means_builtin) {
  const nlohmann::json before = state.effective().to_json();
  const bool was_without_policy = state.without_policy;
  auto fresh = load_settings_state(state.admin_path, user_path,
                                   missing_admin_means_builtin && state.builtin_only);
  if (!fresh) {
    state.using_last_good = !state.without_policy;
    state.problems = std::move(fresh).error();
  } else {
    state = std::move(fresh).value();
  }
  return state.effective().to_json() != before || was_without_policy != state.without_policy;
}

}  // namespace moat::core::settings
