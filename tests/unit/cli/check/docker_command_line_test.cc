#include "cli/check/docker_command_line.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "moatd/http/docker_api_v141.h"
#include "moatd/http/go_json.h"
#include "support/temp_dir.h"

namespace moat::cli::check {
namespace {

using nlohmann::json;
using Query = std::vector<std::pair<std::string, std::string>>;

HostEnvironment test_host() {
  return HostEnvironment{"/home/dev/project", {{"FROM_HOST", "host value"}, {"HTTP_PROXY", "http://proxy:3128"}}};
}

TranslatedRequest translate(const std::vector<std::string>& argv) {
  auto result = translate_docker_command(argv, test_host());
  EXPECT_TRUE(result) << (result ? "" : result.error().message);
  return result ? std::move(result).value() : TranslatedRequest{};
}

std::string translation_error(const std::vector<std::string>& argv) {
  const auto result = translate_docker_command(argv, test_host());
  EXPECT_FALSE(result) << "translated: " << (result ? result->request.body.value_or(json()).dump() : "");
  return result ? "" : result.error().message;
}

// The body `docker run alpine` sends, every field as Go writes it.
const json& run_baseline() {
  static const json body = json::parse(R"({
    "Hostname": "", "Domainname": "", "User": "",
    "AttachStdin": false, "AttachStdout": true, "AttachStderr": true,
    "Tty": false, "OpenStdin": false, "StdinOnce": false,
    "Env": null, "Cmd": null, "Image": "alpine", "Volumes": {}, "WorkingDir": "",
    "Entrypoint": null, "OnBuild": null, "Labels": {},
    "HostConfig": {
      "Binds": null, "ContainerIDFile": "", "LogConfig": {"Type": "", "Config": {}},
      "NetworkMode": "default", "PortBindings": {},
      "RestartPolicy": {"Name": "no", "MaximumRetryCount": 0},
      "AutoRemove": false, "VolumeDriver": "", "VolumesFrom": null, "ConsoleSize": [0, 0],
      "CapAdd": null, "CapDrop": null, "CgroupnsMode": "", "Dns": [], "DnsOptions": [], "DnsSearch": [],
      "ExtraHosts": null, "GroupAdd": null, "IpcMode": "", "Cgroup": "", "Links": null,
      "OomScoreAdj": 0, "PidMode": "", "Privileged": false, "PublishAllPorts": false,
      "ReadonlyRootfs": false, "SecurityOpt": null, "UTSMode": "", "UsernsMode": "", "ShmSize": 0,
      "Isolation": "", "CpuShares": 0, "Memory": 0, "NanoCpus": 0, "CgroupParent": "",
      "BlkioWeight": 0, "BlkioWeightDevice": [], "BlkioDeviceReadBps": [], "BlkioDeviceWriteBps": [],
      "BlkioDeviceReadIOps": [], "BlkioDeviceWriteIOps": [], "CpuPeriod": 0, "CpuQuota": 0,
      "CpuRealtimePeriod": 0, "CpuRealtimeRuntime": 0, "CpusetCpus": "", "CpusetMems": "",
      "Devices": [], "DeviceCgroupRules": null, "DeviceRequests": null, "MemoryReservation": 0,
      "MemorySwap": 0, "MemorySwappiness": -1, "OomKillDisable": false, "PidsLimit": 0,
      "Ulimits": null, "CpuCount": 0, "CpuPercent": 0, "IOMaximumIOps": 0, "IOMaximumBandwidth": 0,
      "MaskedPaths": null, "ReadonlyPaths": null
    },
    "NetworkingConfig": {"EndpointsConfig": {"default": {
      "IPAMConfig": null, "Links": null, "Aliases": null, "MacAddress": "", "DriverOpts": null,
      "GwPriority": 0, "NetworkID": "", "EndpointID": "", "Gateway": "", "IPAddress": "",
      "IPPrefixLen": 0, "IPv6Gateway": "", "GlobalIPv6Address": "", "GlobalIPv6PrefixLen": 0,
      "DNSNames": null}}}
  })");
  return body;
}

TEST(DockerCommandLine, RunWithoutFlagsSendsEveryFieldAsGoWritesIt) {
  const auto t = translate({"docker", "run", "alpine"});
  EXPECT_EQ(t.request.method, "POST");
  EXPECT_EQ(t.request.segments, (std::vector<std::string>{"containers", "create"}));
  EXPECT_EQ(t.request.query, Query{});
  EXPECT_EQ(t.request.body, run_baseline());
  EXPECT_EQ(request_target(t.request), "/v1.41/containers/create");
}

// One command line and how its body differs from `docker run alpine`
// (an RFC 7386 merge patch: null removes a member).
struct Translation {
  const char* name;
  std::vector<std::string> argv;
  const char* patch;
  Query query = {};
};

void PrintTo(const Translation& t, std::ostream* os) { *os << t.name; }

class RunTranslation : public ::testing::TestWithParam<Translation> {};

TEST_P(RunTranslation, BodyDiffersFromTheBaselineExactlyByThePatch) {
  const auto t = translate(GetParam().argv);
  json expected = run_baseline();
  expected.merge_patch(json::parse(GetParam().patch));
  ASSERT_TRUE(t.request.body.has_value());
  EXPECT_EQ(*t.request.body, expected) << "diff: " << json::diff(expected, *t.request.body).dump();
  EXPECT_EQ(t.request.query, GetParam().query);
  EXPECT_EQ(t.request.segments, (std::vector<std::string>{"containers", "create"}));
}

// What moatd would forward: the body already has exactly the field names and
// types dockerd 20.10 decodes (docker_api_v141), so canonicalising changes
// nothing.
TEST_P(RunTranslation, BodyIsAlreadyCanonicalForTheEngineSchema) {
  const auto t = translate(GetParam().argv);
  ASSERT_TRUE(t.request.body.has_value());
  const auto canonical =
      moatd::http::go_json::canonicalize(*t.request.body, moatd::http::docker_api_v141::container_create());
  ASSERT_TRUE(canonical) << canonical.error().pointer << ": " << canonical.error().message;
  EXPECT_EQ(*canonical, *t.request.body);
}

INSTANTIATE_TEST_SUITE_P(
    Flags, RunTranslation,
    ::testing::Values(
        Translation{"detach", {"docker", "run", "-d", "alpine"}, R"({"AttachStdout": false, "AttachStderr": false})"},
        Translation{"interactive",
                    {"docker", "run", "-i", "alpine"},
                    R"({"OpenStdin": true, "AttachStdin": true, "StdinOnce": true})"},
        Translation{"tty", {"docker", "run", "--tty", "alpine"}, R"({"Tty": true})"},
        Translation{"combined_it",
                    {"docker", "run", "-it", "alpine"},
                    R"({"Tty": true, "OpenStdin": true, "AttachStdin": true, "StdinOnce": true})"},
        Translation{"combined_dit",
                    {"docker", "run", "-dit", "alpine"},
                    R"({"Tty": true, "OpenStdin": true, "AttachStdout": false, "AttachStderr": false})"},
        Translation{"bool_with_value",
                    {"docker", "run", "-t=false", "--rm=true", "alpine"},
                    R"({"HostConfig": {"AutoRemove": true}})"},
        Translation{"attach_stdout", {"docker", "run", "-a", "STDOUT", "alpine"}, R"({"AttachStderr": false})"},
        Translation{"rm", {"docker", "run", "--rm", "alpine"}, R"({"HostConfig": {"AutoRemove": true}})"},
        Translation{"name", {"docker", "run", "--name", "web", "alpine"}, "{}", {{"name", "web"}}},
        Translation{"name_equals", {"docker", "run", "--name=web", "alpine"}, "{}", {{"name", "web"}}},
        Translation{"env",
                    {"docker", "run", "-e", "A=1", "--env=B=2", "-eC=3", "-e=D=4", "alpine"},
                    R"({"Env": ["A=1", "B=2", "C=3", "D=4"]})"},
        Translation{"env_from_host",
                    {"docker", "run", "-e", "FROM_HOST", "-e", "UNSET_HERE", "alpine"},
                    R"({"Env": ["FROM_HOST=host value", "UNSET_HERE"]})"},
        Translation{"env_last_wins",
                    {"docker", "run", "-e", "A=1", "-e", "B=2", "-e", "A=3", "alpine"},
                    R"({"Env": ["A=3", "B=2"]})"},
        Translation{"user", {"docker", "run", "-u", "1000:1000", "alpine"}, R"({"User": "1000:1000"})"},
        Translation{"user_long", {"docker", "run", "--user=nobody", "alpine"}, R"({"User": "nobody"})"},
        Translation{"workdir", {"docker", "run", "-w", "/src", "alpine"}, R"({"WorkingDir": "/src"})"},
        Translation{
            "entrypoint", {"docker", "run", "--entrypoint", "/bin/sh", "alpine"}, R"({"Entrypoint": ["/bin/sh"]})"},
        Translation{"entrypoint_reset", {"docker", "run", "--entrypoint=", "alpine"}, R"({"Entrypoint": [""]})"},
        Translation{"hostname", {"docker", "run", "-h", "box", "alpine"}, R"({"Hostname": "box"})"},
        Translation{
            "label", {"docker", "run", "--label", "a=b", "-l", "c", "alpine"}, R"({"Labels": {"a": "b", "c": ""}})"},
        Translation{"volume_bind",
                    {"docker", "run", "-v", "/src:/dst:ro", "alpine"},
                    R"({"HostConfig": {"Binds": ["/src:/dst:ro"]}})"},
        Translation{"volume_relative",
                    {"docker", "run", "--volume=./data/../x:/y", "alpine"},
                    R"({"HostConfig": {"Binds": ["/home/dev/project/x:/y"]}})"},
        Translation{"volume_named",
                    {"docker", "run", "-v", "cache:/cache", "alpine"},
                    R"({"HostConfig": {"Binds": ["cache:/cache"]}})"},
        Translation{"volume_anonymous", {"docker", "run", "-v", "/data", "alpine"}, R"({"Volumes": {"/data": {}}})"},
        Translation{"volume_duplicate",
                    {"docker", "run", "-v", "/a:/b", "-v", "/a:/b", "alpine"},
                    R"({"HostConfig": {"Binds": ["/a:/b"]}})"},
        Translation{
            "mount_bind",
            {"docker", "run", "--mount", "type=bind,source=/src,target=/dst,readonly", "alpine"},
            R"({"HostConfig": {"Mounts": [{"Type": "bind", "Source": "/src", "Target": "/dst", "ReadOnly": true}]}})"},
        Translation{"mount_bind_relative",
                    {"docker", "run", "--mount", "type=bind,src=./x,dst=/x,bind-propagation=rshared", "alpine"},
                    R"({"HostConfig": {"Mounts": [{"Type": "bind", "Source": "/home/dev/project/x", "Target": "/x",
                        "BindOptions": {"Propagation": "rshared"}}]}})"},
        Translation{"mount_volume",
                    {"docker", "run", "--mount=src=data,dst=/data,volume-nocopy,volume-driver=local", "alpine"},
                    R"({"HostConfig": {"Mounts": [{"Type": "volume", "Source": "data", "Target": "/data",
                        "VolumeOptions": {"NoCopy": true, "DriverConfig": {"Name": "local"}}}]}})"},
        Translation{"mount_tmpfs",
                    {"docker", "run", "--mount", "type=tmpfs,target=/t,tmpfs-size=64m,tmpfs-mode=1770", "alpine"},
                    R"({"HostConfig": {"Mounts": [{"Type": "tmpfs", "Target": "/t",
                        "TmpfsOptions": {"SizeBytes": 67108864, "Mode": 1016}}]}})"},
        Translation{
            "privileged", {"docker", "run", "--privileged", "alpine"}, R"({"HostConfig": {"Privileged": true}})"},
        Translation{
            "capabilities",
            {"docker", "run", "--cap-add", "net_admin", "--cap-add=CAP_SYS_TIME", "--cap-drop", "all", "alpine"},
            R"({"HostConfig": {"CapAdd": ["CAP_NET_ADMIN", "CAP_SYS_TIME"], "CapDrop": ["ALL"]}})"},
        Translation{"capabilities_sorted_once",
                    {"docker", "run", "--cap-add", "sys_time", "--cap-add", "NET_ADMIN", "--cap-add", "cap_sys_time",
                     "alpine"},
                    R"({"HostConfig": {"CapAdd": ["CAP_NET_ADMIN", "CAP_SYS_TIME"]}})"},
        Translation{
            "device",
            {"docker", "run", "--device", "/dev/sda", "alpine"},
            R"({"HostConfig": {"Devices": [{"PathOnHost": "/dev/sda", "PathInContainer": "/dev/sda", "CgroupPermissions": "rwm"}]}})"},
        Translation{"device_mapped",
                    {"docker", "run", "--device=/dev/sda:/dev/xvda:r", "--device", "/dev/fuse:rw", "alpine"},
                    R"({"HostConfig": {"Devices": [
                        {"PathOnHost": "/dev/sda", "PathInContainer": "/dev/xvda", "CgroupPermissions": "r"},
                        {"PathOnHost": "/dev/fuse", "PathInContainer": "/dev/fuse", "CgroupPermissions": "rw"}]}})"},
        Translation{
            "device_cdi",
            {"docker", "run", "--device", "nvidia.com/gpu=all", "alpine"},
            R"({"HostConfig": {"DeviceRequests": [{"Driver": "cdi", "Count": 0, "DeviceIDs": ["nvidia.com/gpu=all"],
                        "Capabilities": null, "Options": null}]}})"},
        Translation{"device_cgroup_rule",
                    {"docker", "run", "--device-cgroup-rule", "c 1:3 rwm", "alpine"},
                    R"({"HostConfig": {"DeviceCgroupRules": ["c 1:3 rwm"]}})"},
        Translation{"gpus_all",
                    {"docker", "run", "--gpus", "all", "alpine"},
                    R"({"HostConfig": {"DeviceRequests": [{"Driver": "", "Count": -1, "DeviceIDs": null,
                        "Capabilities": [["gpu"]], "Options": {}}]}})"},
        Translation{"gpus_devices",
                    {"docker", "run", "--gpus", "\"device=0,1\",capabilities=compute", "alpine"},
                    R"({"HostConfig": {"DeviceRequests": [{"Driver": "", "Count": 0, "DeviceIDs": ["0", "1"],
                        "Capabilities": [["compute", "gpu"]], "Options": {}}]}})"},
        Translation{
            "security_opt",
            {"docker", "run", "--security-opt", "seccomp=unconfined", "--security-opt", "no-new-privileges", "alpine"},
            R"({"HostConfig": {"SecurityOpt": ["seccomp=unconfined", "no-new-privileges"]}})"},
        Translation{"security_opt_systempaths",
                    {"docker", "run", "--security-opt=systempaths=unconfined", "alpine"},
                    R"({"HostConfig": {"MaskedPaths": [], "ReadonlyPaths": []}})"},
        Translation{"sysctl",
                    {"docker", "run", "--sysctl", "net.ipv4.ip_forward=1", "--sysctl=kernel.shmmax=1", "alpine"},
                    R"({"HostConfig": {"Sysctls": {"net.ipv4.ip_forward": "1", "kernel.shmmax": "1"}}})"},
        Translation{"pid", {"docker", "run", "--pid=host", "alpine"}, R"({"HostConfig": {"PidMode": "host"}})"},
        Translation{"pid_container",
                    {"docker", "run", "--pid", "container:db", "alpine"},
                    R"({"HostConfig": {"PidMode": "container:db"}})"},
        Translation{"ipc", {"docker", "run", "--ipc", "host", "alpine"}, R"({"HostConfig": {"IpcMode": "host"}})"},
        Translation{"uts", {"docker", "run", "--uts=host", "alpine"}, R"({"HostConfig": {"UTSMode": "host"}})"},
        Translation{
            "userns", {"docker", "run", "--userns=host", "alpine"}, R"({"HostConfig": {"UsernsMode": "host"}})"},
        Translation{"cgroupns",
                    {"docker", "run", "--cgroupns", "host", "alpine"},
                    R"({"HostConfig": {"CgroupnsMode": "host"}})"},
        Translation{
            "network_host",
            {"docker", "run", "--network=host", "alpine"},
            R"({"HostConfig": {"NetworkMode": "host"}, "NetworkingConfig": {"EndpointsConfig": {"default": null}}})"},
        Translation{
            "net_alias",
            {"docker", "run", "--net", "backend", "alpine"},
            R"({"HostConfig": {"NetworkMode": "backend"}, "NetworkingConfig": {"EndpointsConfig": {"default": null}}})"},
        Translation{
            "runtime", {"docker", "run", "--runtime", "runc", "alpine"}, R"({"HostConfig": {"Runtime": "runc"}})"},
        Translation{"cgroup_parent",
                    {"docker", "run", "--cgroup-parent=/custom", "alpine"},
                    R"({"HostConfig": {"CgroupParent": "/custom"}})"},
        Translation{"volumes_from",
                    {"docker", "run", "--volumes-from", "data:ro", "alpine"},
                    R"({"HostConfig": {"VolumesFrom": ["data:ro"]}})"},
        Translation{
            "read_only", {"docker", "run", "--read-only", "alpine"}, R"({"HostConfig": {"ReadonlyRootfs": true}})"},
        Translation{
            "publish",
            {"docker", "run", "-p", "8080:80", "alpine"},
            R"({"ExposedPorts": {"80/tcp": {}}, "HostConfig": {"PortBindings": {"80/tcp": [{"HostIp": "", "HostPort": "8080"}]}}})"},
        Translation{
            "publish_ip_udp",
            {"docker", "run", "--publish=127.0.0.1:53:53/udp", "alpine"},
            R"({"ExposedPorts": {"53/udp": {}}, "HostConfig": {"PortBindings": {"53/udp": [{"HostIp": "127.0.0.1", "HostPort": "53"}]}}})"},
        Translation{
            "publish_container_only",
            {"docker", "run", "-p", "80", "alpine"},
            R"({"ExposedPorts": {"80/tcp": {}}, "HostConfig": {"PortBindings": {"80/tcp": [{"HostIp": "", "HostPort": ""}]}}})"},
        Translation{"publish_range",
                    {"docker", "run", "-p", "[::1]:8000-8001:80-81", "alpine"},
                    R"({"ExposedPorts": {"80/tcp": {}, "81/tcp": {}}, "HostConfig": {"PortBindings": {
                        "80/tcp": [{"HostIp": "::1", "HostPort": "8000"}], "81/tcp": [{"HostIp": "::1", "HostPort": "8001"}]}}})"},
        Translation{
            "publish_long_form",
            {"docker", "run", "-p", "published=8080,target=80,protocol=udp", "alpine"},
            R"({"ExposedPorts": {"80/udp": {}}, "HostConfig": {"PortBindings": {"80/udp": [{"HostIp": "", "HostPort": "8080"}]}}})"},
        Translation{"tmpfs",
                    {"docker", "run", "--tmpfs", "/run:rw,size=64m", "--tmpfs", "/cache", "alpine"},
                    R"({"HostConfig": {"Tmpfs": {"/run": "rw,size=64m", "/cache": ""}}})"},
        Translation{
            "shm_size", {"docker", "run", "--shm-size", "1g", "alpine"}, R"({"HostConfig": {"ShmSize": 1073741824}})"},
        Translation{"memory", {"docker", "run", "-m", "512m", "alpine"}, R"({"HostConfig": {"Memory": 536870912}})"},
        Translation{"memory_equals",
                    {"docker", "run", "--memory=1.5GiB", "alpine"},
                    R"({"HostConfig": {"Memory": 1610612736}})"},
        Translation{"cpus",
                    {"docker", "run", "--cpus", "1.5", "alpine"},
                    R"({"HostConfig": {"NanoCpus": 1500000000}})"},
        Translation{
            "pids_limit", {"docker", "run", "--pids-limit", "100", "alpine"}, R"({"HostConfig": {"PidsLimit": 100}})"},
        Translation{"restart",
                    {"docker", "run", "--restart", "on-failure:3", "alpine"},
                    R"({"HostConfig": {"RestartPolicy": {"Name": "on-failure", "MaximumRetryCount": 3}}})"},
        Translation{"add_host",
                    {"docker", "run", "--add-host", "db:10.0.0.2", "--add-host=gw=host-gateway", "--add-host",
                     "v6=[::1]", "alpine"},
                    R"({"HostConfig": {"ExtraHosts": ["db:10.0.0.2", "gw:host-gateway", "v6:::1"]}})"},
        Translation{"dns",
                    {"docker", "run", "--dns", "1.1.1.1", "--dns", "2001:DB8:0:0::1", "alpine"},
                    R"({"HostConfig": {"Dns": ["1.1.1.1", "2001:db8::1"]}})"},
        Translation{"init", {"docker", "run", "--init", "alpine"}, R"({"HostConfig": {"Init": true}})"},
        Translation{"group_add",
                    {"docker", "run", "--group-add", "audio", "--group-add=1001", "alpine"},
                    R"({"HostConfig": {"GroupAdd": ["audio", "1001"]}})"},
        Translation{"use_api_socket",
                    {"docker", "run", "--use-api-socket", "alpine"},
                    R"({"HostConfig": {"Mounts": [{"Type": "bind", "Source": "/var/run/docker.sock",
                        "Target": "/var/run/docker.sock", "BindOptions": {}}]}})"},
        Translation{
            "command", {"docker", "run", "alpine", "sh", "-c", "echo hi"}, R"({"Cmd": ["sh", "-c", "echo hi"]})"},
        Translation{"flags_after_image_are_command",
                    {"docker", "run", "alpine", "ls", "--privileged", "-v", "/:/host"},
                    R"({"Cmd": ["ls", "--privileged", "-v", "/:/host"]})"},
        Translation{"double_dash",
                    {"docker", "run", "--rm", "--", "alpine", "-x"},
                    R"({"Cmd": ["-x"], "HostConfig": {"AutoRemove": true}})"},
        Translation{
            "without_docker_word", {"run", "--privileged", "alpine"}, R"({"HostConfig": {"Privileged": true}})"},
        Translation{"container_run",
                    {"docker", "container", "run", "-d", "alpine"},
                    R"({"AttachStdout": false, "AttachStderr": false})"},
        Translation{"create",
                    {"docker", "create", "-i", "--name", "c1", "alpine"},
                    R"({"OpenStdin": true, "AttachStdin": true, "StdinOnce": true})",
                    {{"name", "c1"}}},
        Translation{"many_flags",
                    {"docker", "run", "-dit", "--rm", "-p", "80:80", "-v", "/srv:/srv", "-e", "X=1", "-w", "/srv",
                     "--name", "app", "nginx:1.27", "nginx", "-g", "daemon off;"},
                    R"({"Image": "nginx:1.27", "Cmd": ["nginx", "-g", "daemon off;"], "Tty": true, "OpenStdin": true,
                        "AttachStdout": false, "AttachStderr": false, "Env": ["X=1"], "WorkingDir": "/srv",
                        "ExposedPorts": {"80/tcp": {}},
                        "HostConfig": {"AutoRemove": true, "Binds": ["/srv:/srv"],
                          "PortBindings": {"80/tcp": [{"HostIp": "", "HostPort": "80"}]}}})",
                    {{"name", "app"}}}),
    [](const ::testing::TestParamInfo<Translation>& p) { return std::string(p.param.name); });

// Command lines docker would not send, or this check cannot translate: the
// message names the flag and why.
struct Refused {
  const char* name;
  std::vector<std::string> argv;
  const char* message;
};

void PrintTo(const Refused& r, std::ostream* os) { *os << r.name; }

class UntranslatableCommandLine : public ::testing::TestWithParam<Refused> {};

TEST_P(UntranslatableCommandLine, SaysWhichFlagAndWhy) {
  EXPECT_EQ(translation_error(GetParam().argv), GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Errors, UntranslatableCommandLine,
    ::testing::Values(
        Refused{"unknown_long", {"docker", "run", "--bogus", "alpine"}, "docker run: unknown flag: --bogus"},
        Refused{
            "unknown_short", {"docker", "run", "-itx", "alpine"}, "docker run: unknown shorthand flag: 'x' in -itx"},
        Refused{"env_file",
                {"docker", "run", "--env-file", "vars.env", "alpine"},
                "docker run: --env-file is not supported: it reads variables from a file; give them with -e instead"},
        Refused{"known_but_untranslated",
                {"docker", "run", "--mac-address", "92:d0:c6:0a:29:33", "alpine"},
                "docker run: --mac-address is not supported: moatctl check does not translate it"},
        Refused{"untranslated_short",
                {"docker", "run", "-c", "512", "alpine"},
                "docker run: -c is not supported: moatctl check does not translate it"},
        Refused{"missing_value", {"docker", "run", "--name"}, "docker run: flag needs an argument: --name"},
        Refused{"missing_short_value", {"docker", "run", "-v"}, "docker run: flag needs an argument: 'v' in -v"},
        Refused{"no_image",
                {"docker", "run", "-d"},
                "docker run: an image is required (\"docker run\" requires at least 1 argument)"},
        Refused{"bad_bool",
                {"docker", "run", "--rm=maybe", "alpine"},
                "docker run: invalid argument \"maybe\" for \"--rm\" flag: strconv.ParseBool: parsing \"maybe\": "
                "invalid syntax"},
        Refused{"bad_memory",
                {"docker", "run", "-m", "lots", "alpine"},
                "docker run: invalid argument \"lots\" for \"-m\" flag: invalid size: 'lots'"},
        Refused{"bad_memory_suffix",
                {"docker", "run", "--memory=12q", "alpine"},
                "docker run: invalid argument \"12q\" for \"--memory\" flag: invalid suffix: 'q'"},
        Refused{"bad_cpus",
                {"docker", "run", "--cpus", "0.0000000001", "alpine"},
                "docker run: invalid argument \"0.0000000001\" for \"--cpus\" flag: value is too precise"},
        Refused{"bad_volume",
                {"docker", "run", "-v", "/a::/b", "alpine"},
                "docker run: invalid argument \"/a::/b\" for \"-v\" flag: invalid spec: /a::/b: empty section between "
                "colons"},
        Refused{
            "volume_too_many_colons",
            {"docker", "run", "-v", "/a:/b:ro:x", "alpine"},
            "docker run: invalid argument \"/a:/b:ro:x\" for \"-v\" flag: invalid spec: /a:/b:ro:x: too many colons"},
        Refused{"bad_mount",
                {"docker", "run", "--mount", "type=bind,source=/a", "alpine"},
                "docker run: invalid argument \"type=bind,source=/a\" for \"--mount\" flag: target is required"},
        Refused{"mount_mixed",
                {"docker", "run", "--mount", "type=bind,src=/a,dst=/b,volume-nocopy", "alpine"},
                "docker run: invalid argument \"type=bind,src=/a,dst=/b,volume-nocopy\" for \"--mount\" flag: "
                "cannot mix 'volume-*' options with mount type 'bind'"},
        Refused{"bad_device",
                {"docker", "run", "--device", "/dev/sda:dev", "alpine"},
                "docker run: invalid argument \"/dev/sda:dev\" for \"--device\" flag: dev is not an absolute path"},
        Refused{"bad_cgroup_rule",
                {"docker", "run", "--device-cgroup-rule", "x 1:3 rwm", "alpine"},
                "docker run: invalid argument \"x 1:3 rwm\" for \"--device-cgroup-rule\" flag: invalid device cgroup "
                "format 'x 1:3 rwm'"},
        Refused{"bad_gpus",
                {"docker", "run", "--gpus", "count=two", "alpine"},
                "docker run: invalid argument \"count=two\" for \"--gpus\" flag: count must be an integer: "
                "strconv.Atoi: parsing \"two\": invalid syntax"},
        Refused{"sysctl_refused_by_cli",
                {"docker", "run", "--sysctl", "kernel.domainname=x", "alpine"},
                "docker run: invalid argument \"kernel.domainname=x\" for \"--sysctl\" flag: sysctl "
                "'kernel.domainname=x' is not allowed"},
        Refused{"bad_pid",
                {"docker", "run", "--pid=container:", "alpine"},
                "docker run: invalid argument \"container:\" for \"--pid\" flag: --pid: invalid PID mode"},
        Refused{"bad_cgroupns",
                {"docker", "run", "--cgroupns", "shared", "alpine"},
                "docker run: invalid argument \"shared\" for \"--cgroupns\" flag: --cgroupns: invalid CGROUP mode"},
        Refused{"bad_port",
                {"docker", "run", "-p", "99999:80", "alpine"},
                "docker run: invalid argument \"99999:80\" for \"-p\" flag: invalid hostPort: 99999"},
        Refused{"bad_dns",
                {"docker", "run", "--dns", "one.one", "alpine"},
                "docker run: invalid argument \"one.one\" for \"--dns\" flag: IP address is not correctly formatted: "
                "one.one"},
        Refused{"bad_add_host",
                {"docker", "run", "--add-host", "db", "alpine"},
                "docker run: invalid argument \"db\" for \"--add-host\" flag: bad format for add-host: \"db\""},
        Refused{"bad_env",
                {"docker", "run", "-e", "=x", "alpine"},
                "docker run: invalid argument \"=x\" for \"-e\" flag: invalid environment variable: =x"},
        Refused{"network_advanced",
                {"docker", "run", "--network", "name=front,alias=web", "alpine"},
                "docker run: invalid argument \"name=front,alias=web\" for \"--network\" flag: the advanced syntax "
                "(name=...,alias=...) is not supported by moatctl check"},
        Refused{"rm_and_restart",
                {"docker", "run", "--rm", "--restart", "always", "alpine"},
                "docker run: conflicting options: cannot specify both --restart and --rm"},
        Refused{"attach_and_detach",
                {"docker", "run", "-d", "-a", "stdout", "alpine"},
                "docker run: conflicting options: cannot specify both --attach and --detach"},
        Refused{"mixed_networks",
                {"docker", "run", "--network", "host", "--network", "front", "alpine"},
                "docker run: conflicting options: cannot attach both user-defined and non-user-defined network-modes"},
        Refused{"create_has_no_detach",
                {"docker", "create", "-d", "alpine"},
                "docker create: unknown shorthand flag: 'd' in -d"},
        Refused{"bad_flag_syntax", {"docker", "run", "---x", "alpine"}, "docker run: bad flag syntax: ---x"},
        Refused{"global_option",
                {"docker", "-H", "tcp://host:2375", "run", "alpine"},
                "docker -H: global docker options are not supported; give the command alone"},
        Refused{
            "other_command",
            {"docker", "ps", "-a"},
            "\"docker ps\" is not a command moatctl check translates (it translates: run, create, exec, volume create, "
            "network create, pull, push, load, import, build, plugin install, swarm init)"},
        Refused{"empty", {"docker"}, "no docker command given (for example: docker run alpine)"},
        Refused{"exec_without_command",
                {"docker", "exec", "web"},
                "docker exec: a container and a command are required (\"docker exec\" requires at least 2 arguments)"},
        Refused{"exec_env_file",
                {"docker", "exec", "--env-file", "f", "web", "sh"},
                "docker exec: --env-file is not supported: it reads variables from a file; give them with -e instead"},
        Refused{"pull_bad_reference",
                {"docker", "pull", "Alpine"},
                "docker pull: Alpine: invalid reference format: repository name (library/Alpine) must be lowercase"},
        Refused{"pull_tag_and_all",
                {"docker", "pull", "-a", "alpine:3"},
                "docker pull: tag can't be used with --all-tags/-a"},
        Refused{"push_digest",
                {"docker", "push", "alpine@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"},
                "docker push: cannot push a digest reference"},
        Refused{"build_file",
                {"docker", "build", "-f", "other.Dockerfile", "."},
                "docker build: -f is not supported: a Dockerfile outside the default place changes the context the CLI "
                "sends"},
        Refused{"network_two_names",
                {"docker", "network", "create", "a", "b"},
                "docker network create: expected one network name, got 2 arguments"},
        Refused{"network_range_without_subnet",
                {"docker", "network", "create", "--ip-range", "172.20.0.0/24", "n"},
                "docker network create: every ip-range or gateway must have a corresponding subnet"},
        Refused{"network_gateway_outside",
                {"docker", "network", "create", "--subnet", "172.20.0.0/16", "--gateway", "10.0.0.1", "n"},
                "docker network create: no matching subnet for gateway 10.0.0.1"},
        Refused{"network_overlapping_subnets",
                {"docker", "network", "create", "--subnet", "172.20.0.0/16,172.20.5.0/24", "n"},
                "docker network create: multiple overlapping subnet configuration is not supported"},
        Refused{"network_two_ranges",
                {"docker", "network", "create", "--subnet", "172.20.0.0/16", "--subnet", "10.0.0.0/8", "--ip-range",
                 "172.20.1.0/24", "--ip-range", "172.20.2.0/24", "n"},
                "docker network create: cannot configure multiple ranges (172.20.2.0/24, 172.20.1.0/24) on the "
                "same subnet (172.20.0.0/16)"},
        Refused{"network_aux_outside",
                {"docker", "network", "create", "--subnet", "172.20.0.0/16", "--aux-address", "dns=10.0.0.53", "n"},
                "docker network create: no matching subnet for aux-address 10.0.0.53"},
        Refused{"volume_name_twice",
                {"docker", "volume", "create", "--name", "a", "b"},
                "docker volume create: conflicting options: cannot specify a volume-name through both --name and as a "
                "positional arg"}),
    [](const ::testing::TestParamInfo<Refused>& p) { return std::string(p.param.name); });

TEST(DockerCommandLine, EachOfSeveralNetworksGetsAnEndpoint) {
  const auto t = translate({"docker", "run", "--network", "front", "--network", "back", "alpine"});
  const json& endpoint = run_baseline()["NetworkingConfig"]["EndpointsConfig"]["default"];
  EXPECT_EQ(t.request.body->at("HostConfig").at("NetworkMode"), "front");
  EXPECT_EQ(t.request.body->at("NetworkingConfig"),
            (json{{"EndpointsConfig", {{"front", endpoint}, {"back", endpoint}}}}));
}

TEST(DockerCommandLine, SeccompProfileFileIsSentInline) {
  const testing_support::TempDir dir("moat-check-seccomp");
  { std::ofstream(dir / "profile.json") << "{\n  \"defaultAction\": \"SCMP_ACT_ALLOW\"\n}\n"; }
  HostEnvironment host{dir.str(), {}};
  const std::vector<std::string> argv = {"docker", "run", "--security-opt", "seccomp=profile.json", "alpine"};
  const auto t = translate_docker_command(argv, host);
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->request.body->at("HostConfig").at("SecurityOpt"),
            json::array({"seccomp={\"defaultAction\":\"SCMP_ACT_ALLOW\"}"}));
}

TEST(DockerCommandLine, MissingSeccompProfileIsAnError) {
  EXPECT_EQ(translation_error({"docker", "run", "--security-opt", "seccomp=/nonexistent/p.json", "alpine"}),
            "docker run: invalid argument \"seccomp=/nonexistent/p.json\" for \"--security-opt\" flag: opening seccomp "
            "profile (/nonexistent/p.json) failed: cannot read /nonexistent/p.json");
}

TEST(DockerCommandLine, ExecBody) {
  const auto t = translate(
      {"docker", "exec", "-it", "--privileged", "-u", "root", "-w", "/tmp", "-e", "A=1", "web", "sh", "-c", "id"});
  EXPECT_EQ(t.request.segments, (std::vector<std::string>{"containers", "web", "exec"}));
  EXPECT_EQ(t.request.body, json::parse(R"({"User": "root", "Privileged": true, "Tty": true, "AttachStdin": true,
      "AttachStderr": true, "AttachStdout": true, "Detach": false, "DetachKeys": "", "Env": ["A=1"],
      "WorkingDir": "/tmp", "Cmd": ["sh", "-c", "id"]})"));
  const auto canonical =
      moatd::http::go_json::canonicalize(*t.request.body, moatd::http::docker_api_v141::exec_create());
  ASSERT_TRUE(canonical) << canonical.error().message;
  EXPECT_EQ(*canonical, *t.request.body);
}

TEST(DockerCommandLine, ExecDetachedAttachesNothing) {
  const auto t = translate({"docker", "container", "exec", "-d", "web", "touch", "/x"});
  EXPECT_EQ(t.request.body, json::parse(R"({"User": "", "Privileged": false, "Tty": false, "AttachStdin": false,
      "AttachStderr": false, "AttachStdout": false, "Detach": false, "DetachKeys": "", "Env": null,
      "WorkingDir": "", "Cmd": ["touch", "/x"]})"));
}

TEST(DockerCommandLine, VolumeCreate) {
  const auto t = translate({"docker", "volume", "create", "-d", "local", "-o", "type=tmpfs", "--opt=device=tmpfs",
                            "--label", "team=a", "scratch"});
  EXPECT_EQ(request_target(t.request), "/v1.41/volumes/create");
  EXPECT_EQ(t.request.body, json::parse(R"({"Driver": "local", "DriverOpts": {"type": "tmpfs", "device": "tmpfs"},
      "Labels": {"team": "a"}, "Name": "scratch"})"));
  const auto canonical =
      moatd::http::go_json::canonicalize(*t.request.body, moatd::http::docker_api_v141::volume_create());
  ASSERT_TRUE(canonical) << canonical.error().message;
  EXPECT_EQ(translate({"volume", "create"}).request.body, json::parse(R"({"Driver": "local"})"));
}

TEST(DockerCommandLine, NetworkCreate) {
  const auto t = translate({"docker", "network", "create", "-d", "macvlan", "--internal", "--ipv6", "lan"});
  EXPECT_EQ(request_target(t.request), "/v1.41/networks/create");
  EXPECT_EQ(t.request.body, json::parse(R"({"Name": "lan", "CheckDuplicate": true, "Driver": "macvlan", "Scope": "",
      "EnableIPv6": true, "IPAM": {"Driver": "default", "Options": {}, "Config": []}, "Internal": true,
      "Attachable": false, "Ingress": false, "ConfigOnly": false, "ConfigFrom": null, "Options": {},
      "Labels": {}})"));
  const auto canonical =
      moatd::http::go_json::canonicalize(*t.request.body, moatd::http::docker_api_v141::network_create());
  ASSERT_TRUE(canonical) << canonical.error().message;
}

TEST(DockerCommandLine, NetworkCreateAddressesGoWithTheirSubnet) {
  const auto t = translate({"docker", "network", "create", "--subnet", "172.20.0.0/16,fd00:1::/64", "--gateway",
                            "fd00:1::1", "--ip-range", "172.20.5.0/24", "--gateway", "172.20.0.1", "--aux-address",
                            "db=172.20.0.9", "--ipam-opt", "k=v", "--config-from", "base", "n"});
  EXPECT_EQ(t.request.body->at("IPAM"), json::parse(R"({"Driver": "default", "Options": {"k": "v"}, "Config": [
      {"Subnet": "172.20.0.0/16", "IPRange": "172.20.5.0/24", "Gateway": "172.20.0.1",
       "AuxiliaryAddresses": {"db": "172.20.0.9"}},
      {"Subnet": "fd00:1::/64", "Gateway": "fd00:1::1"}]})"));
  EXPECT_EQ(t.request.body->at("ConfigFrom"), json::parse(R"({"Network": "base"})"));
  const auto canonical =
      moatd::http::go_json::canonicalize(*t.request.body, moatd::http::docker_api_v141::network_create());
  ASSERT_TRUE(canonical) << canonical.error().message;
}

TEST(DockerCommandLine, PullQueriesName) {
  auto t = translate({"docker", "pull", "alpine"});
  EXPECT_EQ(request_target(t.request), "/v1.41/images/create?fromImage=docker.io%2Flibrary%2Falpine&tag=latest");
  EXPECT_FALSE(t.request.body.has_value());
  t = translate({"pull", "--platform", "Linux/ARM64", "ghcr.io/team/app:1.2"});
  EXPECT_EQ(t.request.query, (Query{{"fromImage", "ghcr.io/team/app"}, {"platform", "linux/arm64"}, {"tag", "1.2"}}));
  t = translate({"docker", "image", "pull", "-a", "busybox"});
  EXPECT_EQ(t.request.query, (Query{{"fromImage", "docker.io/library/busybox"}}));
  const std::string digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  t = translate({"docker", "pull", "alpine:3@" + digest});
  EXPECT_EQ(t.request.query, (Query{{"fromImage", "docker.io/library/alpine"}, {"tag", digest}}));
}

TEST(DockerCommandLine, PushNamesImageInPath) {
  const auto t = translate({"docker", "push", "localhost:5000/team/app:1"});
  EXPECT_EQ(t.request.segments, (std::vector<std::string>{"images", "localhost:5000", "team", "app", "push"}));
  EXPECT_EQ(request_target(t.request), "/v1.41/images/localhost:5000/team/app/push?tag=1");
  EXPECT_EQ(request_target(translate({"docker", "push", "alpine"}).request),
            "/v1.41/images/docker.io/library/alpine/push?tag=latest");
}

TEST(DockerCommandLine, LoadAndImportStreamTheirBodies) {
  auto t = translate({"docker", "load", "-i", "images.tar"});
  EXPECT_EQ(request_target(t.request), "/v1.41/images/load?quiet=0");
  EXPECT_EQ(t.streamed_body, "the image archive from images.tar");
  EXPECT_EQ(request_target(translate({"docker", "image", "load", "-q"}).request), "/v1.41/images/load?quiet=1");
  t = translate(
      {"docker", "import", "-m", "first import", "-c", "ENV A=1", "--change=CMD sh", "rootfs.tar", "team/base:1"});
  EXPECT_EQ(t.request.query, (Query{{"changes", "ENV A=1"},
                                    {"changes", "CMD sh"},
                                    {"fromSrc", "-"},
                                    {"message", "first import"},
                                    {"repo", "team/base:1"},
                                    {"tag", ""}}));
  EXPECT_EQ(
      request_target(t.request),
      "/v1.41/images/create?changes=ENV+A%3D1&changes=CMD+sh&fromSrc=-&message=first+import&repo=team%2Fbase%3A1&tag=");
  EXPECT_EQ(t.streamed_body, "the file system archive from rootfs.tar");
  t = translate({"docker", "import", "https://example.com/rootfs.tar"});
  EXPECT_EQ(t.request.query,
            (Query{{"fromSrc", "https://example.com/rootfs.tar"}, {"message", ""}, {"repo", ""}, {"tag", ""}}));
  EXPECT_EQ(t.streamed_body, "");
}

TEST(DockerCommandLine, BuildQuery) {
  const auto t = translate({"docker", "build", "--network", "host", "-t", "app:1", "-t", "app:latest", "--build-arg",
                            "A=<1&2>", "--build-arg", "FROM_HOST", "--build-arg", "NOT_SET", "--no-cache", "."});
  EXPECT_EQ(t.request.segments, (std::vector<std::string>{"build"}));
  EXPECT_EQ(t.request.query,
            (Query{{"buildargs", R"({"A":"\u003c1\u00262\u003e","FROM_HOST":"host value","NOT_SET":null})"},
                   {"dockerfile", "Dockerfile"},
                   {"networkmode", "host"},
                   {"nocache", "1"},
                   {"t", "app:1"},
                   {"t", "app:latest"},
                   {"version", "1"}}));
  EXPECT_EQ(t.streamed_body, "the build context (a tar of .)");
  EXPECT_EQ(translate({"docker", "build", "--network=default", "-"}).request.query, (Query{{"version", "1"}}));
}

TEST(DockerCommandLine, PluginInstallAndSwarmInit) {
  auto t = translate({"docker", "plugin", "install", "--grant-all-permissions", "vieux/sshfs", "DEBUG=1"});
  EXPECT_EQ(request_target(t.request),
            "/v1.41/plugins/pull?name=vieux%2Fsshfs%3Alatest&remote=docker.io%2Fvieux%2Fsshfs");
  EXPECT_EQ(t.request.body, json::array());
  t = translate({"docker", "swarm", "init", "--advertise-addr", "10.0.0.1", "--autolock"});
  EXPECT_EQ(request_target(t.request), "/v1.41/swarm/init");
  EXPECT_EQ(t.request.body->at("AdvertiseAddr"), "10.0.0.1");
  EXPECT_EQ(t.request.body->at("AutoLockManagers"), true);
  EXPECT_EQ(t.request.body->at("Spec").at("EncryptionConfig"), json::parse(R"({"AutoLockManagers": true})"));
}

TEST(DockerCommandLine, QueryValuesAreEscapedAsGoDoes) {
  const auto t = translate({"docker", "run", "--name", "my app/ü", "alpine"});
  EXPECT_EQ(request_target(t.request), "/v1.41/containers/create?name=my+app%2F%C3%BC");
}

}  // namespace
}  // namespace moat::cli::check
