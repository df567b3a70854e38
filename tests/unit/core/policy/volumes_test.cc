#include "core/policy/volumes.h"

#include <gtest/gtest.h>

#include "policy_test_support.h"

namespace moat::core::policy {
namespace {

using test_support::json;
using test_support::kNoRemedy;
using test_support::PolicyHarness;
using test_support::request;

Decision create_volume(PolicyHarness& h, const json& body) {
  return h.decide(request("POST", "volumes/create", body));
}

TEST(VolumeCreate, APlainVolumeIsAllowed) {
  PolicyHarness h;
  const auto d =
      create_volume(h, {{"Name", "data"}, {"Driver", "local"}, {"DriverOpts", json::object()}});
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.rule, "volume.create");
}

TEST(VolumeCreate, ABindOfRootIsRefused) {
  PolicyHarness h;
  const auto d =
      create_volume(h, {{"Name", "root"},
                        {"Driver", "local"},
                        {"DriverOpts", {{"type", "none"}, {"o", "bind"}, {"device", "/"}}}});
  EXPECT_EQ(d.message(),
            std::string("Moat refused this request: volume root binding / is not allowed: it "
                        "contains the engine socket /run/moat/engine.sock (rule "
                        "bind.restricted-path).") +
                kNoRemedy);
}

TEST(VolumeCreate, ABindOfTheRunDirectoryIsRefused) {
  PolicyHarness h;
  const auto d = create_volume(
      h,
      {{"Driver", ""}, {"DriverOpts", {{"type", "none"}, {"o", "bind"}, {"device", "/var/run"}}}});
  EXPECT_EQ(d.reason,
            "anonymous volume binding /var/run (resolves to /run) is not allowed: it contains "
            "the engine socket /run/moat/engine.sock");
}

TEST(VolumeCreate, ABindOfASharedDirectoryIsAllowed) {
  PolicyHarness h;
  EXPECT_TRUE(
      create_volume(
          h, {{"Name", "src"},
              {"DriverOpts", {{"type", "none"}, {"o", "bind"}, {"device", "/home/dev/project"}}}})
          .allowed);
}

TEST(VolumeCreate, ABindOutsideTheSharesNamesTheSetting) {
  PolicyHarness h;
  const auto d = create_volume(
      h, {{"Name", "opt"},
          {"DriverOpts", {{"type", "none"}, {"o", "bind"}, {"device", "/opt/data"}}}});
  EXPECT_EQ(d.setting, "filesharingAllowedDirectories");
  EXPECT_EQ(d.reason,
            "volume opt binding /opt/data is not allowed: it is outside the shared directories "
            "(/home/dev, /tmp)");
}

TEST(VolumeCreate, ABlockDeviceIsRefused) {
  PolicyHarness h;
  const auto d = create_volume(
      h, {{"Name", "disk"}, {"DriverOpts", {{"type", "ext4"}, {"device", "/dev/sda1"}}}});
  EXPECT_EQ(d.rule, "volume.local-options");
}

TEST(VolumeCreate, APluginDriverIsRefusedUnlessPluginsAreAllowed) {
  PolicyHarness h;
  const auto body =
      json{{"Name", "x"}, {"Driver", "vieux/sshfs"}, {"DriverOpts", {{"sshcmd", "u@h:/"}}}};
  EXPECT_EQ(create_volume(h, body).message(),
            "Moat refused this request: volume driver \"vieux/sshfs\" is not allowed: volume "
            "drivers other than local are engine plugins (setting moat.allowPlugins). An admin "
            "can allow it with \"moat\": {\"allowPlugins\": {\"value\": true}} in "
            "admin-settings.json.");
  h.set("moat.allowPlugins", true);
  EXPECT_TRUE(create_volume(h, body).allowed);
}

TEST(VolumeCreate, DriverOptsMustBeStrings) {
  PolicyHarness h;
  EXPECT_EQ(create_volume(h, {{"DriverOpts", {{"device", 1}}}}).reason,
            "the request body member /DriverOpts is not an object of strings");
}

}  // namespace
}  // namespace moat::core::policy
