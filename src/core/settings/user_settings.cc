#include "core/settings/user_settings.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "core/json/json_string.h"
#include "core/json/strict_json.h"
#include "core/settings/effective_settings.h"
#include "core/settings/file_trust.h"
#include "core/settings/setting_spec.h"
#include "core/settings/value_check.h"

namespace moat::core::settings {
namespace {

using nlohmann::json;

bool is_text_kind(ValueKind kind) {
  return kind == ValueKind::kString || kind == ValueKind::kEnum || kind == ValueKind::kDaemonOptions;
}

}  // namespace

Result<UserSettings> load_user_settings(const std::string& path) {
  if (!std::filesystem::exists(path)) return UserSettings{};
  auto text = read_trusted_file(path);
  if (!text) return unexpected(text.error());
  const auto doc = core::json::parse_strict(*text);
  if (!doc) return fail(path + ": " + doc.error().message);
  UserSettings out;
  const json& root = doc->value;
  if (!root.is_object() || !root.contains("values") || !root["values"].is_object()) {
    return fail(path + ": not a developer settings file (no \"values\" object)");
  }
  for (const auto& [key, value] : root["values"].items()) {
    const SettingSpec* spec = find_setting(key);
    if (spec == nullptr) return fail(path + ": unknown setting \"" + key + "\"");
    json v = value;
    if (const auto problems = check_value(*spec, v); !problems.empty()) {
      return fail(path + ": " + key + ": " + problems.front().message);
    }
    out.values[key] = std::move(v);
  }
  if (root.contains("setBy") && root["setBy"].is_object()) {
    for (const auto& [key, uid] : root["setBy"].items()) {
      if (uid.is_number_unsigned()) out.set_by_uid[key] = uid.get<unsigned>();
    }
  }
  return out;
}

Result<void> save_user_settings(const std::string& path, const UserSettings& settings) {
  json doc = {{"values", json::object()}, {"setBy", json::object()}};
  for (const auto& [k, v] : settings.values) doc["values"][k] = v;
  for (const auto& [k, uid] : settings.set_by_uid) doc["setBy"][k] = uid;
  const std::string text = doc.dump(2) + "\n";
  // Write a new file and rename it over the old one, so a crash leaves
  // either the old or the new layer, never half of one.
  const std::string tmp = path + ".new";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0) return fail("writing " + tmp + ": " + std::strerror(errno));
  const bool written = ::fchmod(fd, 0644) == 0 &&
                       ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                       ::fsync(fd) == 0;
  const int saved = errno;
  ::close(fd);
  if (!written || ::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return fail("writing " + path + ": " + std::strerror(written ? errno : saved));
  }
  return {};
}

Result<void> check_developer_text(const std::string& key, const std::string& text) {
  if (!core::json::is_valid_utf8(key)) {
    return fail("unknown setting: its name is not UTF-8 text; `moatctl settings show` lists them");
  }
  if (!core::json::is_valid_utf8(text)) return fail("invalid value for \"" + key + "\": not UTF-8 text");
  return {};
}

Result<json> check_developer_change(const EffectiveSettings& current, const std::string& key,
                                    const std::string& text) {
  const SettingSpec* spec = find_setting(key);
  if (spec == nullptr) {
    return fail("unknown setting \"" + key + "\"; `moatctl settings show` lists them");
  }
  if (spec->lock_pointer.empty()) {
    return fail("setting \"" + key + "\" is set only by your administrator in admin-settings.json");
  }
  if (current.locked(key)) {
    return fail("setting \"" + key +
                "\" is locked by your administrator; an admin can unlock it with \"locked\": false "
                "in admin-settings.json");
  }
  if (spec->applicability == Applicability::kNotApplicable) {
    return fail("setting \"" + key + "\" does not apply to a Linux engine (" + spec->note + ")");
  }
  if (auto utf8 = check_developer_text(key, text); !utf8) return unexpected(utf8.error());
  json value = text;
  if (const auto parsed = core::json::parse_strict(text); parsed) {
    if (!(is_text_kind(spec->kind) && !parsed->value.is_string())) value = parsed->value;
  }
  if (const auto problems = check_value(*spec, value); !problems.empty()) {
    return fail("invalid value for \"" + key + "\": " + problems.front().message);
  }
  return value;
}

}  // namespace moat::core::settings
