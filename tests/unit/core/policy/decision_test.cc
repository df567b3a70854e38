#include "core/policy/decision.h"

#include <gtest/gtest.h>

namespace moat::core::policy {
namespace {

TEST(Decision, BuiltInRefusalNamesTheRuleAndSaysNothingCanAllowIt) {
  const auto d = Decision::deny("bind.restricted-path", "",
                                "bind mount of /var/run/docker.sock is not allowed: it reaches "
                                "the engine socket",
                                "");
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.message(),
            "Moat refused this request: bind mount of /var/run/docker.sock is not allowed: it "
            "reaches the engine socket (rule bind.restricted-path). Nothing an admin can change "
            "allows this.");
}

TEST(Decision, SettingRefusalNamesTheSettingAndTheRemedy) {
  const auto d = Decision::deny("image.load-blocked", "blockDockerLoad", "docker load is blocked",
                                admin_remedy("blockDockerLoad", false));
  EXPECT_EQ(d.message(),
            "Moat refused this request: docker load is blocked (setting blockDockerLoad). An "
            "admin can allow it with \"blockDockerLoad\": {\"value\": false} in "
            "admin-settings.json.");
}

TEST(Decision, AllowCarriesOnlyTheRule) {
  const auto d = Decision::allow("container.create");
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.rule, "container.create");
  EXPECT_EQ(d.setting, "");
  EXPECT_EQ(d.reason, "");
  EXPECT_EQ(d.remedy, "");
  EXPECT_EQ(d.message(), "Moat allowed this request (rule container.create).");
}

TEST(Decision, AdminRemedyNestsDottedKeys) {
  EXPECT_EQ(admin_remedy("moat.allowSwarm", true),
            "An admin can allow it with \"moat\": {\"allowSwarm\": {\"value\": true}} in "
            "admin-settings.json.");
  EXPECT_EQ(admin_remedy("enhancedContainerIsolation", true),
            "An admin can allow it with \"enhancedContainerIsolation\": {\"value\": true} in "
            "admin-settings.json.");
}

TEST(Decision, EqualityComparesEveryField) {
  EXPECT_EQ(Decision::deny("a", "b", "c", "d"), Decision::deny("a", "b", "c", "d"));
  EXPECT_NE(Decision::deny("a", "b", "c", "d"), Decision::deny("a", "b", "c", "e"));
}

}  // namespace
}  // namespace moat::core::policy
