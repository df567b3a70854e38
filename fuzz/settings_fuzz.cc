// The two ways settings text reaches Moat: an admin's admin-settings.json and
// a developer's `moatctl settings set KEY VALUE` (which moatd checks and then
// stores). Byte 0 picks which: even, the rest is an admin file; odd, byte 1
// picks the setting and the rest is the developer's VALUE, checked against
// settings in which the admin unlocked everything a developer may change.
// Properties: no crash or exception; a refused file lists problems that each
// say what is wrong and point inside the text; an accepted file names only
// known settings, with values already in their checked form, and reads the
// same twice; an accepted developer value can be stored (its JSON text
// exists) and, given back as VALUE, is accepted as the same value. An
// accepted file also goes through what the engine side reads of it.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/engine/address_pools.h"
#include "core/engine/engine_config.h"
#include "core/settings/admin_settings.h"
#include "core/settings/effective_settings.h"
#include "core/settings/setting_spec.h"
#include "core/settings/user_settings.h"
#include "core/settings/value_check.h"

namespace {

using namespace moat::core::settings;

void check_admin_file(std::string_view text) {
  const auto parsed = parse_admin_settings(text);
  if (!parsed) {
    if (parsed.error().empty()) __builtin_trap();
    for (const auto& problem : parsed.error()) {
      if (problem.message.empty()) __builtin_trap();
      if (problem.where.line < 1 || problem.where.column < 1 || problem.where.offset > text.size()) {
        __builtin_trap();
      }
    }
    return;
  }
  for (const auto& [key, admin_value] : parsed->values) {
    const SettingSpec* spec = find_setting(key);
    if (spec == nullptr) __builtin_trap();
    nlohmann::json again = admin_value.value;
    if (!check_value(*spec, again).empty() || again != admin_value.value) __builtin_trap();
  }
  for (const auto& [key, locked] : parsed->locks) {
    if (find_setting(key) == nullptr) __builtin_trap();
  }
  const auto twice = parse_admin_settings(text);
  if (!twice || twice->locks != parsed->locks || twice->values.size() != parsed->values.size()) __builtin_trap();
  for (const auto& [key, admin_value] : parsed->values) {
    const auto other = twice->values.find(key);
    if (other == twice->values.end() || other->second.value != admin_value.value ||
        other->second.locked != admin_value.locked) {
      __builtin_trap();
    }
  }
  const EffectiveSettings effective(*parsed, UserSettings{});
  (void)effective.to_json().dump();
  // What the engine side reads out of the settings: the daemon options'
  // address pools (parsed again from their JSON text) and the proxy.
  (void)moat::core::engine::address_pools(effective);
  (void)moat::core::engine::manual_proxy(effective);
  (void)moat::core::engine::binds_ports_locally(effective);
}

// An admin file that sets every setting to its default and unlocks every
// group, so developer values reach the value checks instead of stopping at
// "locked" (a "locked" needs its "value" beside it).
const EffectiveSettings& everything_unlocked() {
  static const EffectiveSettings settings = [] {
    nlohmann::json file = {{"configurationFileVersion", 2}};
    for (const SettingSpec& spec : all_settings()) {
      if (!spec.default_value.is_null()) file[nlohmann::json::json_pointer(spec.value_pointer)] = spec.default_value;
      if (!spec.lock_pointer.empty()) file[nlohmann::json::json_pointer(spec.lock_pointer)] = false;
    }
    auto admin = parse_admin_settings(file.dump());
    if (!admin) __builtin_trap();  // the table's own lock pointers must make a valid file
    return EffectiveSettings(*admin, UserSettings{});
  }();
  return settings;
}

void check_developer_value(std::uint8_t pick, std::string_view text) {
  const auto settings = all_settings();
  const SettingSpec& spec = settings[pick % settings.size()];
  const auto& current = everything_unlocked();
  const auto accepted = check_developer_change(current, spec.key, std::string(text));
  if (!accepted) {
    if (accepted.error().message.empty()) __builtin_trap();
    return;
  }
  // moatd stores it as JSON: a value nlohmann cannot write (a string that is
  // not UTF-8) would be accepted and then lost.
  std::string stored;
  try {
    stored = accepted->dump();
  } catch (const nlohmann::json::exception&) {
    __builtin_trap();
  }
  const auto again = check_developer_change(current, spec.key, stored);
  if (!again || *again != *accepted) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  if ((data[0] & 1U) == 0) {
    check_admin_file(rest);
  } else if (!rest.empty()) {
    check_developer_value(static_cast<std::uint8_t>(rest[0]), rest.substr(1));
  }
  return 0;
}
