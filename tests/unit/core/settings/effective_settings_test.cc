#include "core/settings/effective_settings.h"

#include <gtest/gtest.h>

#include "core/settings/user_settings.h"

namespace moat::core::settings {
namespace {

AdminSettings admin_from(std::string_view text) {
  auto parsed = parse_admin_settings(text);
  EXPECT_TRUE(parsed);
  return parsed ? std::move(parsed).value() : AdminSettings{};
}

TEST(EffectiveSettings, BuiltInPolicyLocksIsolationAndEngine) {
  const EffectiveSettings s(AdminSettings{}, UserSettings{});
  EXPECT_EQ(s.value("enhancedContainerIsolation"), true);
  EXPECT_TRUE(s.locked("enhancedContainerIsolation"));
  EXPECT_TRUE(s.locked("linuxVM.dockerDaemonOptions"));
  EXPECT_TRUE(s.locked("moat.allowPlugins"));
  EXPECT_FALSE(s.locked("blockDockerLoad"));
  EXPECT_TRUE(s.locked("filesharingAllowedDirectories"));
  EXPECT_EQ(s.all().at("blockDockerLoad").source, ValueSource::kBuiltin);
}

TEST(EffectiveSettings, LayersLowestFirst) {
  const auto admin = admin_from(R"({"configurationFileVersion": 2,
      "blockDockerLoad": {"locked": false, "value": true},
      "allowBetaFeatures": {"locked": true, "value": false},
      "proxy": {"locked": false, "mode": "manual", "http": "http://admin:3128"}})");
  UserSettings user;
  user.values["blockDockerLoad"] = false;           // beats the admin's unlocked default
  user.values["allowBetaFeatures"] = true;          // loses to the admin's lock
  user.values["proxy.http"] = "http://dev:3128";    // group unlocked by the admin
  const EffectiveSettings s(admin, user);
  EXPECT_EQ(s.value("blockDockerLoad"), false);
  EXPECT_EQ(s.all().at("blockDockerLoad").source, ValueSource::kDeveloper);
  EXPECT_EQ(s.value("allowBetaFeatures"), false);
  EXPECT_EQ(s.all().at("allowBetaFeatures").source, ValueSource::kAdmin);
  EXPECT_EQ(s.value("proxy.http"), "http://dev:3128");
  EXPECT_EQ(s.value("proxy.mode"), "manual");
  EXPECT_EQ(s.value("proxy.https"), "");
}

TEST(EffectiveSettings, AdminCanUnlockWhatTheBuiltInPolicyLocks) {
  const auto admin = admin_from(R"({"configurationFileVersion": 2,
      "enhancedContainerIsolation": {"locked": false, "value": true}})");
  UserSettings user;
  user.values["enhancedContainerIsolation"] = false;
  const EffectiveSettings s(admin, user);
  EXPECT_FALSE(s.locked("enhancedContainerIsolation"));
  EXPECT_EQ(s.value("enhancedContainerIsolation"), false);
}

TEST(EffectiveSettings, GroupLockCoversEverySubSetting) {
  const auto admin = admin_from(R"({"configurationFileVersion": 2,
      "enhancedContainerIsolation": {"locked": true, "value": true,
        "dockerSocketMount": {"commandList": {"type": "deny"}}}})");
  const EffectiveSettings s(admin, UserSettings{});
  EXPECT_TRUE(s.locked("enhancedContainerIsolation.dockerSocketMount.imageList.images"));
  EXPECT_TRUE(s.locked("enhancedContainerIsolation.dockerSocketMount.commandList.type"));
}

TEST(DeveloperChange, RefusesLockedSetting) {
  const EffectiveSettings s(AdminSettings{}, UserSettings{});
  EXPECT_EQ(check_developer_change(s, "enhancedContainerIsolation", "false").error().message,
            "setting \"enhancedContainerIsolation\" is locked by your administrator; an admin can "
            "unlock it with \"locked\": false in admin-settings.json");
}

TEST(DeveloperChange, RefusesAdminOnlyUnknownAndNotApplicable) {
  const EffectiveSettings s(AdminSettings{}, UserSettings{});
  EXPECT_EQ(check_developer_change(s, "filesharingAllowedDirectories", "[]").error().message,
            "setting \"filesharingAllowedDirectories\" is set only by your administrator in "
            "admin-settings.json");
  EXPECT_EQ(check_developer_change(s, "noSuchThing", "1").error().message,
            "unknown setting \"noSuchThing\"; `moatctl settings show` lists them");
  EXPECT_EQ(check_developer_change(s, "analyticsEnabled", "false").error().message,
            "setting \"analyticsEnabled\" does not apply to a Linux engine (applies to Docker "
            "Desktop's app or VM, not to a Linux engine)");
}

TEST(DeveloperChange, ChecksValueKind) {
  const EffectiveSettings s(AdminSettings{}, UserSettings{});
  EXPECT_EQ(*check_developer_change(s, "blockDockerLoad", "true"), true);
  EXPECT_EQ(check_developer_change(s, "blockDockerLoad", "yes").error().message,
            "invalid value for \"blockDockerLoad\": expected true or false, found a string");
}

// moatd stores the value as JSON, which cannot hold bytes that are not
// UTF-8: such a value is refused, not accepted and then lost.
TEST(DeveloperChange, RefusesTextThatIsNotUtf8) {
  const auto admin = admin_from(R"({"configurationFileVersion": 2, "proxy": {"locked": false}})");
  const EffectiveSettings s(admin, UserSettings{});
  EXPECT_EQ(check_developer_change(s, "proxy.http", "http://proxy\xff.example:3128").error().message,
            "invalid value for \"proxy.http\": not UTF-8 text");
  EXPECT_EQ(check_developer_change(s, "proxy.exclude", "\xc3(").error().message,
            "invalid value for \"proxy.exclude\": not UTF-8 text");
  EXPECT_EQ(*check_developer_change(s, "proxy.http", "http://pr\xc3\xb6xy.example:3128"),
            "http://pr\xc3\xb6xy.example:3128");
  // moatctl asks the same before it sends anything.
  EXPECT_EQ(check_developer_text("proxy\xff", "x").error().message,
            "unknown setting: its name is not UTF-8 text; `moatctl settings show` lists them");
}

TEST(DeveloperChange, TakesTextAsStringForTextSettings) {
  const auto admin = admin_from(R"({"configurationFileVersion": 2, "proxy": {"locked": false}})");
  const EffectiveSettings s(admin, UserSettings{});
  EXPECT_EQ(*check_developer_change(s, "proxy.http", "http://proxy.example:3128"),
            "http://proxy.example:3128");
  EXPECT_EQ(*check_developer_change(s, "proxy.exclude", "a.example,b.example"),
            nlohmann::json({"a.example", "b.example"}));
  EXPECT_EQ(*check_developer_change(s, "proxy.exclude", R"(["c.example"])"),
            nlohmann::json({"c.example"}));
}

}  // namespace
}  // namespace moat::core::settings
