#include "core/policy/mounts.h"

#include <gtest/gtest.h>

#include "policy_test_support.h"

namespace moat::core::policy {
namespace {

using test_support::create_with;
using test_support::json;
using test_support::kNoRemedy;
using test_support::PolicyHarness;

constexpr const char* kPluginRemedy =
    " An admin can allow it with \"moat\": {\"allowPlugins\": {\"value\": true}} in "
    "admin-settings.json.";

struct MountCase {
  const char* name;
  json host_config;
  const char* rule;
  std::string message;  // empty when allowed
};

std::string builtin(const std::string& reason, const std::string& rule) {
  return "Moat refused this request: " + reason + " (rule " + rule + ")." + kNoRemedy;
}

class ContainerMounts : public ::testing::TestWithParam<MountCase> {};

TEST_P(ContainerMounts, AreJudged) {
  PolicyHarness h;
  const auto& c = GetParam();
  const auto d = h.decide(create_with(c.host_config));
  if (c.message.empty()) {
    EXPECT_TRUE(d.allowed) << d.message();
    EXPECT_EQ(d.rule, "container.create");
  } else {
    EXPECT_FALSE(d.allowed);
    EXPECT_EQ(d.rule, c.rule);
    EXPECT_EQ(d.message(), c.message);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Mounts, ContainerMounts,
    ::testing::Values(
        MountCase{"BindInHome", {{"Binds", {"/home/dev/project:/src"}}}, "", ""},
        MountCase{"BindReadOnlyRslave", {{"Binds", {"/home/dev/project:/src:ro,rslave"}}}, "", ""},
        MountCase{"NamedVolume", {{"Binds", {"data:/data"}}}, "", ""},
        MountCase{"AnonymousVolume", {{"Binds", {"/cache"}}}, "", ""},
        MountCase{"BindRshared",
                  {{"Binds", {"/home/dev/project:/src:ro,rshared"}}},
                  "bind.propagation",
                  builtin("bind mount of /home/dev/project with rshared propagation is not "
                          "allowed: mounts made in the container would appear on the host",
                          "bind.propagation")},
        MountCase{"BindShared",
                  {{"Binds", {"/home/dev/project:/src:shared"}}},
                  "bind.propagation",
                  builtin("bind mount of /home/dev/project with shared propagation is not "
                          "allowed: mounts made in the container would appear on the host",
                          "bind.propagation")},
        MountCase{"BindTooManyParts",
                  {{"Binds", {"a:b:c:d"}}},
                  "mount.binds-syntax",
                  builtin("bind \"a:b:c:d\" is not allowed: expected [source:]target[:options]",
                          "mount.binds-syntax")},
        MountCase{"BindEmptySource",
                  {{"Binds", {":/x"}}},
                  "mount.binds-syntax",
                  builtin("bind \":/x\" is not allowed: expected [source:]target[:options]",
                          "mount.binds-syntax")},
        MountCase{"BindEngineSocket",
                  {{"Binds", {"/var/run/docker.sock:/var/run/docker.sock"}}},
                  "bind.restricted-path",
                  builtin("bind mount of /var/run/docker.sock (resolves to /run/docker.sock) is "
                          "not allowed: it is the system engine socket /var/run/docker.sock",
                          "bind.restricted-path")},
        MountCase{"BindParentOfSocket",
                  {{"Binds", {"/run:/host-run"}}},
                  "bind.restricted-path",
                  builtin("bind mount of /run is not allowed: it contains the engine socket "
                          "/run/moat/engine.sock",
                          "bind.restricted-path")},
        MountCase{"BindSymlinkToSocket",
                  {{"Binds", {"/home/dev/sock:/sock"}}},
                  "bind.restricted-path",
                  builtin("bind mount of /home/dev/sock (resolves to /run/moat/engine.sock) is "
                          "not allowed: it is the engine socket /run/moat/engine.sock",
                          "bind.restricted-path")},
        MountCase{"MountsBindOfRoot",
                  {{"Mounts", {{{"Type", "bind"}, {"Source", "/"}, {"Target", "/host"}}}}},
                  "bind.restricted-path",
                  builtin("bind mount of / is not allowed: it contains the engine socket "
                          "/run/moat/engine.sock",
                          "bind.restricted-path")},
        MountCase{"MountsBindInHome",
                  {{"Mounts",
                    {{{"Type", "bind"},
                      {"Source", "/home/dev/project"},
                      {"Target", "/src"},
                      {"BindOptions", {{"Propagation", "rprivate"}}}}}}},
                  "",
                  ""},
        MountCase{"MountsBindRshared",
                  {{"Mounts",
                    {{{"Type", "bind"},
                      {"Source", "/home/dev/project"},
                      {"Target", "/src"},
                      {"BindOptions", {{"Propagation", "rshared"}}}}}}},
                  "bind.propagation",
                  builtin("bind mount of /home/dev/project with rshared propagation is not "
                          "allowed: mounts made in the container would appear on the host",
                          "bind.propagation")},
        MountCase{
            "MountsTmpfs", {{"Mounts", {{{"Type", "tmpfs"}, {"Target", "/scratch"}}}}}, "", ""},
        MountCase{"MountsNamedVolume",
                  {{"Mounts", {{{"Type", "volume"}, {"Source", "data"}, {"Target", "/data"}}}}},
                  "",
                  ""},
        MountCase{"MountsNpipe",
                  {{"Mounts", {{{"Type", "npipe"}, {"Source", "x"}, {"Target", "/x"}}}}},
                  "mount.type",
                  builtin("mount type \"npipe\" is not allowed: only bind, volume and tmpfs "
                          "mounts are",
                          "mount.type")},
        MountCase{"MountsNoType",
                  {{"Mounts", {{{"Source", "x"}, {"Target", "/x"}}}}},
                  "mount.type",
                  builtin("mount type \"\" is not allowed: only bind, volume and tmpfs mounts are",
                          "mount.type")},
        MountCase{"MountsVolumeBindingRoot",
                  {{"Mounts",
                    {{{"Type", "volume"},
                      {"Source", "data"},
                      {"Target", "/data"},
                      {"VolumeOptions",
                       {{"DriverConfig",
                         {{"Name", "local"},
                          {"Options", {{"type", "none"}, {"o", "bind"}, {"device", "/"}}}}}}}}}}},
                  "bind.restricted-path",
                  builtin("volume data binding / is not allowed: it contains the engine socket "
                          "/run/moat/engine.sock",
                          "bind.restricted-path")},
        MountCase{"MountsVolumePluginDriver",
                  {{"Mounts",
                    {{{"Type", "volume"},
                      {"Source", "data"},
                      {"Target", "/data"},
                      {"VolumeOptions", {{"DriverConfig", {{"Name", "rexray"}}}}}}}}},
                  "volume.driver-plugin",
                  std::string("Moat refused this request: volume driver \"rexray\" is not "
                              "allowed: volume drivers other than local are engine plugins "
                              "(setting moat.allowPlugins).") +
                      kPluginRemedy},
        MountCase{"VolumesFrom",
                  {{"VolumesFrom", {"other:ro"}}},
                  "container.volumes-from",
                  builtin("--volumes-from other:ro is not allowed: it copies another container's "
                          "mounts, which may include host paths this request could not name "
                          "itself",
                          "container.volumes-from")},
        MountCase{"VolumeDriverPlugin",
                  {{"VolumeDriver", "convoy"}, {"Binds", {"data:/data"}}},
                  "volume.driver-plugin",
                  std::string("Moat refused this request: volume driver \"convoy\" is not "
                              "allowed: volume drivers other than local are engine plugins "
                              "(setting moat.allowPlugins).") +
                      kPluginRemedy},
        MountCase{"VolumeDriverLocal", {{"VolumeDriver", "local"}}, "", ""},
        MountCase{"MountsNotAnArray",
                  {{"Mounts", "x"}},
                  "request.malformed",
                  builtin("the request body member /HostConfig/Mounts is not an array",
                          "request.malformed")},
        MountCase{"MountsElementNotAnObject",
                  {{"Mounts", {"x"}}},
                  "request.malformed",
                  builtin("the request body member /HostConfig/Mounts/0 is not an object",
                          "request.malformed")}),
    [](const auto& test_param) { return std::string(test_param.param.name); });

TEST(ContainerMounts, PluginDriversPassWhenAllowed) {
  PolicyHarness h;
  h.set("moat.allowPlugins", true);
  EXPECT_TRUE(h.decide(create_with({{"VolumeDriver", "convoy"}})).allowed);
  EXPECT_TRUE(
      h.decide(create_with({{"Mounts",
                             {{{"Type", "volume"},
                               {"Target", "/d"},
                               {"VolumeOptions", {{"DriverConfig", {{"Name", "rexray"}}}}}}}}}))
          .allowed);
}

struct LocalOptionsCase {
  const char* name;
  StringPairs options;
  const char* rule;
  std::string reason;  // empty when allowed
};

class LocalVolumeOptions : public ::testing::TestWithParam<LocalOptionsCase> {};

TEST_P(LocalVolumeOptions, AreJudged) {
  PolicyHarness h;
  const auto& c = GetParam();
  const auto d = h.with_context([&](const PolicyContext& ctx) {
    return judge_local_volume_options(c.options, "volume v", ctx);
  });
  EXPECT_EQ(d.rule, c.rule);
  if (c.reason.empty()) {
    EXPECT_TRUE(d.allowed) << d.message();
  } else {
    EXPECT_FALSE(d.allowed);
    EXPECT_EQ(d.reason, c.reason);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Local, LocalVolumeOptions,
    ::testing::Values(
        LocalOptionsCase{"None", {}, "volume.local-options", ""},
        LocalOptionsCase{"Tmpfs",
                         {{"type", "tmpfs"}, {"device", "tmpfs"}, {"o", "size=100m,uid=1000"}},
                         "volume.local-options",
                         ""},
        LocalOptionsCase{"Nfs",
                         {{"type", "nfs"}, {"o", "addr=10.0.0.1,rw"}, {"device", ":/export"}},
                         "volume.local-options",
                         ""},
        LocalOptionsCase{"BindInHome",
                         {{"type", "none"}, {"o", "bind"}, {"device", "/home/dev/project"}},
                         "volume.local-options",
                         ""},
        LocalOptionsCase{"BindOfRun",
                         {{"type", "none"}, {"o", "bind"}, {"device", "/run"}},
                         "bind.restricted-path",
                         "volume v binding /run is not allowed: it contains the engine socket "
                         "/run/moat/engine.sock"},
        LocalOptionsCase{"RbindOutsideShares",
                         {{"o", "rbind"}, {"device", "/opt/data"}},
                         "bind.outside-shared-directories",
                         "volume v binding /opt/data is not allowed: it is outside the shared "
                         "directories (/home/dev, /tmp)"},
        LocalOptionsCase{
            "BindRshared",
            {{"type", "none"}, {"o", "rbind,rshared"}, {"device", "/home/dev/project"}},
            "bind.propagation",
            "volume v binding /home/dev/project with rshared propagation is not "
            "allowed: mounts made in the container would appear on the host"},
        LocalOptionsCase{"BindRelative",
                         {{"o", "bind"}, {"device", "project"}},
                         "bind.source-path",
                         "volume v binding project is not allowed: a host path must be absolute, "
                         "without . or .. components"},
        LocalOptionsCase{"BlockDevice",
                         {{"type", "ext4"}, {"device", "/dev/sda1"}},
                         "volume.local-options",
                         "volume v is not allowed: the local driver would mount type ext4 from "
                         "/dev/sda1; it may bind a shared directory or mount tmpfs, nfs, nfs4, "
                         "cifs or smb3"},
        LocalOptionsCase{"DeviceWithoutType",
                         {{"device", "/dev/sda1"}},
                         "volume.local-options",
                         "volume v is not allowed: the local driver would mount a filesystem from "
                         "/dev/sda1; it may bind a shared directory or mount tmpfs, nfs, nfs4, "
                         "cifs or smb3"},
        LocalOptionsCase{"Procfs",
                         {{"type", "proc"}, {"device", "proc"}},
                         "volume.local-options",
                         "volume v is not allowed: the local driver would mount type proc from "
                         "proc; it may bind a shared directory or mount tmpfs, nfs, nfs4, cifs or "
                         "smb3"},
        LocalOptionsCase{"Remount",
                         {{"type", "tmpfs"}, {"o", "remount,rw"}, {"device", "/"}},
                         "volume.local-options",
                         "volume v is not allowed: mount option remount acts on existing host "
                         "mounts"},
        LocalOptionsCase{"UnknownOption",
                         {{"mountpoint", "/run"}},
                         "volume.local-options",
                         "volume v is not allowed: \"mountpoint\" is not an option of the local "
                         "volume driver"}),
    [](const auto& test_param) { return std::string(test_param.param.name); });

}  // namespace
}  // namespace moat::core::policy
