#include "core/policy/policy.h"

#include <gtest/gtest.h>

#include "policy_test_support.h"

namespace moat::core::policy {
namespace {

using test_support::create_with;
using test_support::json;
using test_support::PolicyHarness;
using test_support::request;

// The API-visible rows of the container-escape catalogue, each through
// decide() as the docker CLI would send it.
struct EscapeCase {
  const char* name;
  ApiRequest request;
  bool eci_active;
  const char* rule;
  const char* reason;
};

ApiRequest volume(const json& options) {
  return request("POST", "volumes/create", json{{"Name", "v"}, {"DriverOpts", options}});
}

class EscapeCatalogue : public ::testing::TestWithParam<EscapeCase> {};

TEST_P(EscapeCatalogue, IsRefused) {
  PolicyHarness h;
  const auto& c = GetParam();
  h.eci_active = c.eci_active;
  const auto d = h.decide(c.request);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.rule, c.rule);
  EXPECT_EQ(d.reason, c.reason);
}

INSTANTIATE_TEST_SUITE_P(
    Rows, EscapeCatalogue,
    ::testing::Values(
        EscapeCase{"DockerSock",
                   create_with({{"Binds", {"/var/run/docker.sock:/var/run/docker.sock"}}}), true,
                   "bind.restricted-path",
                   "bind mount of /var/run/docker.sock (resolves to /run/docker.sock) is not "
                   "allowed: it is the system engine socket /var/run/docker.sock"},
        EscapeCase{"RunDockerSock", create_with({{"Binds", {"/run/docker.sock:/s"}}}), true,
                   "bind.restricted-path",
                   "bind mount of /run/docker.sock is not allowed: it is the system engine "
                   "socket /var/run/docker.sock"},
        EscapeCase{"ParentRun", create_with({{"Binds", {"/run:/host-run"}}}), true,
                   "bind.restricted-path",
                   "bind mount of /run is not allowed: it contains the engine socket "
                   "/run/moat/engine.sock"},
        EscapeCase{"ParentVarRun", create_with({{"Binds", {"/var/run:/host-run"}}}), true,
                   "bind.restricted-path",
                   "bind mount of /var/run (resolves to /run) is not allowed: it contains the "
                   "engine socket /run/moat/engine.sock"},
        EscapeCase{"Root", create_with({{"Binds", {"/:/host"}}}), true, "bind.restricted-path",
                   "bind mount of / is not allowed: it contains the engine socket "
                   "/run/moat/engine.sock"},
        EscapeCase{"SymlinkToSocket", create_with({{"Binds", {"/home/dev/sock:/sock"}}}), true,
                   "bind.restricted-path",
                   "bind mount of /home/dev/sock (resolves to /run/moat/engine.sock) is not "
                   "allowed: it is the engine socket /run/moat/engine.sock"},
        EscapeCase{
            "MountsBindRoot",
            create_with({{"Mounts", {{{"Type", "bind"}, {"Source", "/"}, {"Target", "/h"}}}}}),
            true, "bind.restricted-path",
            "bind mount of / is not allowed: it contains the engine socket "
            "/run/moat/engine.sock"},
        EscapeCase{"DaemonJson",
                   create_with({{"Binds", {"/etc/docker/daemon.json:/mnt/daemon.json"}}}), true,
                   "bind.restricted-path",
                   "bind mount of /etc/docker/daemon.json is not allowed: it is inside the engine "
                   "configuration /etc/docker"},
        EscapeCase{"HostProc", create_with({{"Binds", {"/proc:/host_proc"}}}), true,
                   "bind.outside-shared-directories",
                   "bind mount of /proc is not allowed: it is outside the shared directories "
                   "(/home/dev, /tmp)"},
        EscapeCase{"VolumeBindRoot", volume({{"type", "none"}, {"o", "bind"}, {"device", "/"}}),
                   true, "bind.restricted-path",
                   "volume v binding / is not allowed: it contains the engine socket "
                   "/run/moat/engine.sock"},
        EscapeCase{"VolumeBindRun", volume({{"type", "none"}, {"o", "bind"}, {"device", "/run"}}),
                   true, "bind.restricted-path",
                   "volume v binding /run is not allowed: it contains the engine socket "
                   "/run/moat/engine.sock"},
        EscapeCase{"PidHost", create_with({{"PidMode", "host"}}), true, "container.namespace-host",
                   "--pid=host is not allowed: the container would share the host's process "
                   "namespace"},
        EscapeCase{"PidHostPtrace", create_with({{"PidMode", "host"}, {"CapAdd", {"SYS_PTRACE"}}}),
                   true, "container.namespace-host",
                   "--pid=host is not allowed: the container would share the host's process "
                   "namespace"},
        EscapeCase{"NetHost", create_with({{"NetworkMode", "host"}}), true,
                   "container.namespace-host",
                   "--network=host is not allowed: the container would share the host's network "
                   "namespace"},
        EscapeCase{"IpcHost", create_with({{"IpcMode", "host"}}), true, "container.namespace-host",
                   "--ipc=host is not allowed: the container would share the host's IPC "
                   "namespace"},
        EscapeCase{"UtsHost", create_with({{"UTSMode", "host"}}), true, "container.namespace-host",
                   "--uts=host is not allowed: the container would share the host's UTS "
                   "namespace"},
        EscapeCase{"UsernsHost", create_with({{"UsernsMode", "host"}}), true,
                   "container.namespace-host",
                   "--userns=host is not allowed: the container would share the host's user "
                   "namespace"},
        EscapeCase{"CgroupnsHost", create_with({{"CgroupnsMode", "host"}}), true,
                   "container.namespace-host",
                   "--cgroupns=host is not allowed: the container would share the host's cgroup "
                   "namespace"},
        EscapeCase{"NetContainer", create_with({{"NetworkMode", "container:x"}}), true,
                   "container.namespace-join",
                   "--network=container:x is not allowed: the container would join another "
                   "container's network namespace, and each container keeps its own user "
                   "namespace"},
        EscapeCase{"VolumesFrom", create_with({{"VolumesFrom", {"victim"}}}), true,
                   "container.volumes-from",
                   "--volumes-from victim is not allowed: it copies another container's mounts, "
                   "which may include host paths this request could not name itself"},
        EscapeCase{"Device",
                   create_with({{"Devices",
                                 {{{"PathOnHost", "/dev/sda1"},
                                   {"PathInContainer", "/dev/sda1"},
                                   {"CgroupPermissions", "rwm"}}}}}),
                   true, "container.devices",
                   "--device /dev/sda1 is not allowed: host devices stay out of containers"},
        EscapeCase{
            "Gpus",
            create_with({{"DeviceRequests", {{{"Count", -1}, {"Capabilities", {{"gpu"}}}}}}}), true,
            "container.device-requests",
            "--gpus (DeviceRequests) is not allowed: it hands host devices to the "
            "container"},
        EscapeCase{"DeviceCgroupRule", create_with({{"DeviceCgroupRules", {"a *:* rwm"}}}), true,
                   "container.device-cgroup-rules",
                   "--device-cgroup-rule \"a *:* rwm\" is not allowed: it lets the container use "
                   "host device nodes"},
        EscapeCase{"CapSysModule", create_with({{"CapAdd", {"SYS_MODULE"}}}), true,
                   "container.capabilities",
                   "--cap-add SYS_MODULE is not allowed: CAP_SYS_MODULE acts on the host kernel, "
                   "outside any container's user namespace"},
        EscapeCase{"CapDacReadSearch", create_with({{"CapAdd", {"DAC_READ_SEARCH"}}}), true,
                   "container.capabilities",
                   "--cap-add DAC_READ_SEARCH is not allowed: CAP_DAC_READ_SEARCH acts on the "
                   "host kernel, outside any container's user namespace"},
        EscapeCase{"SeccompUnconfined", create_with({{"SecurityOpt", {"seccomp=unconfined"}}}),
                   true, "container.seccomp",
                   "--security-opt seccomp=unconfined is not allowed: it turns off the system "
                   "call filter"},
        EscapeCase{"ApparmorUnconfined", create_with({{"SecurityOpt", {"apparmor=unconfined"}}}),
                   true, "container.apparmor",
                   "--security-opt apparmor=unconfined is not allowed: it turns off AppArmor "
                   "confinement"},
        EscapeCase{"LabelDisable", create_with({{"SecurityOpt", {"label=disable"}}}), true,
                   "container.selinux-label",
                   "--security-opt label=disable is not allowed: it turns off the container's "
                   "SELinux confinement"},
        EscapeCase{"SystempathsUnconfined",
                   create_with({{"MaskedPaths", json::array()}, {"ReadonlyPaths", json::array()}}),
                   true, "container.system-paths",
                   "--security-opt systempaths=unconfined (an empty MaskedPaths) is not allowed: "
                   "it would expose /proc and /sys paths Docker hides from every container"},
        EscapeCase{"CorePattern", create_with({{"Sysctls", {{"kernel.core_pattern", "|/tmp/x"}}}}),
                   true, "container.sysctl",
                   "--sysctl kernel.core_pattern=|/tmp/x is not allowed: kernel.core_pattern is "
                   "not kept per container, so it would change the host kernel"},
        EscapeCase{
            "SysctlInjection",
            create_with({{"Sysctls", {{"kernel.shm_rmid_forced", "1+kernel.core_pattern=|/x"}}}}),
            true, "container.sysctl",
            "--sysctl kernel.shm_rmid_forced=1+kernel.core_pattern=|/x is not allowed: a "
            "value with '+', '=' or control characters could smuggle a second setting "
            "(CVE-2022-0811)"},
        EscapeCase{"RuntimeOverride", create_with({{"Runtime", "io.containerd.runc.v2"}}), true,
                   "container.runtime",
                   "--runtime io.containerd.runc.v2 is not allowed: every container runs with "
                   "Moat's runtime (runc)"},
        EscapeCase{"CgroupParent", create_with({{"CgroupParent", "/"}}), true,
                   "container.cgroup-parent",
                   "--cgroup-parent / is not allowed: containers stay in the cgroup tree the "
                   "engine gives them, where their limits apply"},
        EscapeCase{"PrivilegedWithoutEci", create_with({{"Privileged", true}}), false,
                   "container.privileged",
                   "--privileged is not allowed without enhanced container isolation: the "
                   "container would hold every capability and device of the host"},
        EscapeCase{"ExecPrivilegedWithoutEci",
                   request("POST", "containers/c1/exec", json{{"Privileged", true}}), false,
                   "exec.privileged",
                   "docker exec --privileged is not allowed without enhanced container "
                   "isolation: the process would hold every capability of the host"},
        EscapeCase{"RootLevelHostConfig",
                   request("POST", "containers/create",
                           json{{"Image", "alpine"}, {"Binds", {"/:/host"}}, {"Privileged", true}}),
                   true, "container.host-config-at-root",
                   "the HostConfig field Binds at the top level of a create body is not allowed: "
                   "send it under HostConfig"},
        EscapeCase{"StartWithHostConfig",
                   request("POST", "containers/c1/start", json{{"Binds", {"/:/host"}}}), true,
                   "endpoint.unexpected-body",
                   "POST /containers/c1/start with a request body is not allowed: this endpoint "
                   "takes none"},
        EscapeCase{"BuildHostNetwork",
                   request("POST", "build", std::nullopt, {{"networkmode", "host"}}), true,
                   "build.network-host",
                   "docker build --network=host is not allowed: build steps would share the "
                   "host's network namespace"},
        EscapeCase{"PluginInstall", request("POST", "plugins/pull"), true, "endpoint.plugins",
                   "docker plugin commands are not allowed: a plugin runs with the engine's "
                   "privileges"}),
    [](const auto& test_param) { return std::string(test_param.param.name); });

// A filesystem that fails in a way the policy does not expect.
class ThrowingFilesystem final : public HostFilesystem {
 public:
  Result<std::string> resolve(const std::string&) const override {
    throw std::runtime_error("disk on fire");
  }
  std::optional<FileId> identity(const std::string&) const override { return std::nullopt; }
};

TEST(Decide, AFailureWhileJudgingIsARefusal) {
  const settings::EffectiveSettings effective(settings::AdminSettings{}, settings::UserSettings{});
  const ThrowingFilesystem fs;
  const PolicyContext context{effective, Caller{}, {}, true, &fs};
  const auto d = decide(create_with({{"Binds", {"/home/dev:/src"}}}), context);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.rule, kInternalErrorRule);  // moatd answers it as its own failure (500)
  EXPECT_EQ(d.message(),
            "Moat refused this request: the policy could not judge this request (disk on fire) "
            "(rule policy.internal-error). Nothing an admin can change allows this.");
}

TEST(Decide, AllowedDecisionsCarryTheEndpointRule) {
  PolicyHarness h;
  const auto d = h.decide(request("GET", "containers/json", std::nullopt, {{"all", "1"}}));
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.rule, "container.list");
  EXPECT_EQ(d.message(), "Moat allowed this request (rule container.list).");
}

TEST(Decide, TheRealFilesystemIsUsedWhenNoneIsGiven) {
  const settings::EffectiveSettings effective(settings::AdminSettings{}, settings::UserSettings{});
  const std::vector<ProtectedPath> root{{"/", "the host's root"}};
  const PolicyContext context{effective, Caller{}, root, true, nullptr};
  EXPECT_EQ(decide(create_with({{"Binds", {"/tmp:/t"}}}), context).reason,
            "bind mount of /tmp is not allowed: it is inside the host's root /");
}

}  // namespace
}  // namespace moat::core::policy
