// Hostile requests sent as raw bytes to moatd's user socket by the
// developer: each must be refused with a clear message, and the engine,
// asked directly after each one, must show that nothing changed.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/command.h"
#include "harness/raw_socket.h"
#include "harness/test_stack.h"

namespace moat::testing {
namespace {

struct Hostile {
  std::string name;
  std::string bytes;
  int status;
  std::string expect;  // a part of the refusal message that names the rule or the problem
};

std::string request(const std::string& method, const std::string& target, const std::string& body,
                    const std::string& extra_headers = "") {
  std::string r = method + " " + target + " HTTP/1.1\r\nHost: docker\r\n" + extra_headers;
  if (!body.empty() || method == "POST") {
    r += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  }
  return r + "\r\n" + body;
}

std::string create(const std::string& name, const std::string& host_config, const std::string& prefix = "/v1.41") {
  return request("POST", prefix + "/containers/create?name=" + name,
                 R"({"Image":"moat-test/busybox","Cmd":["true"],"HostConfig":{)" + host_config + "}}");
}

struct RefusedField {
  std::string name;
  std::string host_config;  // members of HostConfig
  std::string rule;         // "(rule ...)" or "(setting ...)" expected in the refusal
};

// Container-create fields that must be refused. Each is also sent through
// the unversioned API path, and once under a key that differs only in case
// (which Go's decoder would still read into the field).
std::vector<RefusedField> refused_host_configs(const TestStack& s) {
  const std::string restricted = "(rule bind.restricted-path)";
  const std::string shared = "(setting filesharingAllowedDirectories)";
  const std::string ns_host = "(rule container.namespace-host)";
  const std::string ns_join = "(rule container.namespace-join)";
  const std::string caps = "(rule container.capabilities)";
  return {
      {"bind-root", R"("Binds":["/:/host"])", restricted},
      {"bind-etc", R"("Binds":["/etc:/host-etc"])", restricted},
      {"bind-engine-socket", "\"Binds\":[\"" + s.engine_socket() + ":/var/run/docker.sock\"]", restricted},
      {"bind-stack-root", "\"Binds\":[\"" + s.root() + ":/stack\"]", restricted},
      {"bind-run", R"("Binds":["/run:/host-run"])", restricted},
      {"bind-var-run-docker-sock", R"("Binds":["/var/run/docker.sock:/var/run/docker.sock"])", restricted},
      {"bind-etc-docker", R"("Binds":["/etc/docker:/d"])", restricted},
      {"bind-admin-settings", "\"Binds\":[\"" + s.admin_settings() + ":/a.json\"]", restricted},
      {"bind-outside-shared", R"("Binds":["/usr:/host-usr"])", shared},
      {"bind-home-dotdot", "\"Binds\":[\"" + developer_home() + "/../../etc:/e\"]", "(rule bind.source-path)"},
      {"bind-second-of-two", "\"Binds\":[\"" + developer_home() + ":/home\",\"/var/lib:/v\"]", restricted},
      {"mounts-bind-root", R"("Mounts":[{"Type":"bind","Source":"/","Target":"/host"}])", restricted},
      {"mounts-bind-socket", "\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"" + s.engine_socket() + "\",\"Target\":\"/s\"}]",
       restricted},
      {"mounts-bind-proc", R"("Mounts":[{"Type":"bind","Source":"/proc","Target":"/host-proc"}])", shared},
      {"mounts-bind-sys", R"("Mounts":[{"Type":"bind","Source":"/sys","Target":"/host-sys"}])", shared},
      {"mounts-bind-dev", R"("Mounts":[{"Type":"bind","Source":"/dev","Target":"/host-dev"}])", shared},
      {"mounts-volume-bind-driver",
       R"("Mounts":[{"Type":"volume","Source":"hostile-mv","Target":"/v","VolumeOptions":{"DriverConfig":{"Name":"local","Options":{"type":"none","o":"bind","device":"/"}}}}])",
       restricted},
      {"volumes-from", R"("VolumesFrom":["some-container"])", "(rule container.volumes-from)"},
      {"devices", R"("Devices":[{"PathOnHost":"/dev/sda","PathInContainer":"/dev/sda","CgroupPermissions":"rwm"}])",
       "(rule container.devices)"},
      {"device-requests", R"("DeviceRequests":[{"Driver":"nvidia","Count":-1,"Capabilities":[["gpu"]]}])",
       "(rule container.device-requests)"},
      {"device-cgroup-rules", R"("DeviceCgroupRules":["a *:* rwm"])", "(rule container.device-cgroup-rules)"},
      {"pid-host", R"("PidMode":"host")", ns_host},
      {"network-host", R"("NetworkMode":"host")", ns_host},
      {"ipc-host", R"("IpcMode":"host")", ns_host},
      {"uts-host", R"("UTSMode":"host")", ns_host},
      {"userns-host", R"("UsernsMode":"host")", ns_host},
      {"cgroupns-host", R"("CgroupnsMode":"host")", ns_host},
      {"network-container", R"("NetworkMode":"container:other")", ns_join},
      {"pid-container", R"("PidMode":"container:other")", ns_join},
      {"ipc-container", R"("IpcMode":"container:other")", ns_join},
      {"seccomp-unconfined", R"("SecurityOpt":["seccomp=unconfined"])", "(rule container.seccomp)"},
      {"apparmor-unconfined", R"("SecurityOpt":["apparmor=unconfined"])", "(rule container.apparmor)"},
      {"label-disable", R"("SecurityOpt":["label=disable"])", "(rule container.selinux-label)"},
      {"systempaths-unconfined", R"("SecurityOpt":["systempaths=unconfined"])", "(rule container.system-paths)"},
      {"sysctl-core-pattern", R"("Sysctls":{"kernel.core_pattern":"|/tmp/x"})", "(rule container.sysctl)"},
      {"sysctl-injection", R"("Sysctls":{"kernel.shm_rmid_forced":"1+kernel.core_pattern=|/x"})",
       "(CVE-2022-0811) (rule container.sysctl)"},
      {"cap-sys-module", R"("CapAdd":["SYS_MODULE"])", caps},
      {"cap-sys-rawio", R"("CapAdd":["CAP_SYS_RAWIO"])", caps},
      {"cap-dac-read-search", R"("CapAdd":["DAC_READ_SEARCH"])", caps},
      {"cap-bpf", R"("CapAdd":["BPF"])", caps},
      {"cap-all", R"("CapAdd":["ALL"])", caps},
      {"runtime-other", R"("Runtime":"io.containerd.runc.v2")", "(rule container.runtime)"},
      {"cgroup-parent", R"("CgroupParent":"/")", "(rule container.cgroup-parent)"},
      {"masked-paths-empty", R"("MaskedPaths":[])", "(rule container.system-paths)"},
      {"readonly-paths-empty", R"("ReadonlyPaths":[])", "(rule container.system-paths)"},
  };
}

std::vector<Hostile> corpus(const TestStack& s) {
  std::vector<Hostile> out;
  int n = 0;
  const auto next_name = [&n] { return "hostile-" + std::to_string(++n); };
  for (const auto& field : refused_host_configs(s)) {
    out.push_back({"create/" + field.name, create(next_name(), field.host_config), 403, field.rule});
    out.push_back({"create-unversioned/" + field.name, create(next_name(), field.host_config, ""), 403, field.rule});
    std::string folded = field.host_config;  // "Binds" -> "binds"
    folded[1] = static_cast<char>(std::tolower(static_cast<unsigned char>(folded[1])));
    out.push_back({"create-casefold/" + field.name, create(next_name(), folded), 400,
                   "only under Go's case-insensitive matching"});
  }

  const std::string create_target = "/v1.41/containers/create?name=";
  const std::string body = R"({"Image":"moat-test/busybox","HostConfig":{"Privileged":false,"Binds":["/:/h"]}})";
  const std::vector<std::tuple<std::string, std::string, std::string>> json_tricks = {
      {"duplicate-key", R"({"Image":"moat-test/busybox","HostConfig":{"Binds":[],"Binds":["/:/h"]}})",
       "duplicate key \"Binds\""},
      {"kelvin-fold", "{\"Image\":\"moat-test/busybox\",\"HostConfig\":{\"Networ\xE2\x84\xAAMode\":\"host\"}}",
       "only under Go's case-insensitive matching; send the exact name \"NetworkMode\""},
      {"long-s-fold", "{\"Image\":\"moat-test/busybox\",\"HostConfig\":{\"Bind\xC5\xBF\":[\"/:/h\"]}}",
       "only under Go's case-insensitive matching; send the exact name \"Binds\""},
      {"case-pair", R"({"Image":"moat-test/busybox","HostConfig":{"Binds":[],"binds":["/:/h"]}})",
       "all set field \"Binds\" under Go's case-insensitive matching"},
      {"case-folded-hostconfig", R"({"Image":"moat-test/busybox","hostconfig":{"Binds":["/:/h"]}})",
       "send the exact name \"HostConfig\""},
      {"trailing-bytes", body + R"({"HostConfig":{"Privileged":true}})", "expected end of input"},
      {"trailing-garbage", body + "xyz", "expected end of input"},
      {"top-level-hostconfig-field", R"({"Image":"moat-test/busybox","Binds":["/:/h"]})",
       "unknown key \"Binds\" at the top level"},
      {"top-level-privileged", R"({"Image":"moat-test/busybox","Privileged":true,"PidMode":"host"})",
       "unknown key \"P"},
      {"unknown-field", R"({"Image":"moat-test/busybox","HostConfig":{"NotAField":1}})",
       "unknown key \"NotAField\" at /HostConfig"},
      {"capabilities-field", R"({"Image":"moat-test/busybox","HostConfig":{"Capabilities":["CAP_SYS_ADMIN"]}})",
       "unknown key \"Capabilities\" at /HostConfig"},
      {"not-json", "Image=moat-test/busybox", "it is not strict JSON"},
      {"deep-nesting", std::string(200, '[') + std::string(200, ']'), "nesting deeper than 64 levels"},
      {"invalid-utf8", "{\"Image\":\"\xff\"}", "ill-formed UTF-8"},
      {"lone-surrogate", R"({"Image":"\ud800"})", "surrogate"},
      {"wrong-type", R"({"Image":"moat-test/busybox","HostConfig":{"Privileged":"true"}})",
       "/HostConfig/Privileged must be a boolean"},
      {"number-overflow", R"({"Image":"moat-test/busybox","HostConfig":{"Memory":1e400}})", "number overflow"},
      {"bom", "\xEF\xBB\xBF{\"Image\":\"moat-test/busybox\"}", "it is not strict JSON"},
  };
  for (const auto& [what, json, expect] : json_tricks) {
    out.push_back({"json/" + what, request("POST", create_target + next_name(), json), 400, expect});
  }

  const auto post_head = [&](const std::string& headers) {
    return "POST " + create_target + next_name() + " HTTP/1.1\r\nHost: d\r\n" + headers;
  };
  const std::vector<std::tuple<std::string, std::string, int, std::string>> framing = {
      {"cl-and-te", post_head("Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"), 400,
       "both Content-Length and Transfer-Encoding are present"},
      {"double-cl", post_head("Content-Length: 2\r\nContent-Length: 2\r\n\r\n{}"), 400,
       "header \"content-length\" appears more than once"},
      {"cl-list", post_head("Content-Length: 2, 2\r\n\r\n{}"), 400, "is not a plain decimal number"},
      {"cl-plus-sign", post_head("Content-Length: +2\r\n\r\n{}"), 400, "is not a plain decimal number"},
      {"cl-negative", post_head("Content-Length: -1\r\n\r\n{}"), 400, "is not a plain decimal number"},
      {"cl-hex", post_head("Content-Length: 0x2\r\n\r\n{}"), 400, "is not a plain decimal number"},
      {"cl-overflow", post_head("Content-Length: 99999999999999999999999\r\n\r\n{}"), 400, "does not fit in 64 bits"},
      {"te-gzip", post_head("Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"), 400, "is not supported"},
      {"te-identity", post_head("Transfer-Encoding: identity\r\n\r\n{}"), 400, "is not supported"},
      {"te-twice", post_head("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"), 400,
       "header \"transfer-encoding\" appears more than once"},
      {"te-with-space", post_head("Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n"), 400,
       "white space between header name"},
      {"obs-fold", post_head("X-A: b\r\n c\r\nContent-Length: 2\r\n\r\n{}"), 400, "obs-fold"},
      {"bare-lf", "POST " + create_target + next_name() + " HTTP/1.1\nHost: d\nContent-Length: 2\n\n{}", 400,
       "bare LF"},
      {"chunk-extension", post_head("Transfer-Encoding: chunked\r\n\r\n2;x=y\r\n{}\r\n0\r\n\r\n"), 400,
       "chunk extension"},
      {"chunk-size-overflow", post_head("Transfer-Encoding: chunked\r\n\r\nffffffffffffffffffff\r\n{}\r\n0\r\n\r\n"),
       400, "does not fit in 64 bits"},
      {"chunk-size-negative", post_head("Transfer-Encoding: chunked\r\n\r\n-2\r\n{}\r\n0\r\n\r\n"), 400,
       "chunk-size line \"-2\""},
      {"trailer", post_head("Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\nX-Privileged: true\r\n\r\n"), 400,
       "trailer field"},
      {"get-with-body", "GET /v1.41/containers/json HTTP/1.1\r\nHost: d\r\nContent-Length: 2\r\n\r\n{}", 400,
       "GET request with a body"},
      {"body-over-limit",
       post_head("Content-Type: application/json\r\nContent-Length: 5000000\r\n\r\n") + std::string(5000000, ' '), 413,
       "it is refused, not truncated"},
      // CVE-2024-41110: a body the length header does not announce.
      // The announced request is refused for lacking its body; the bytes
      // after it are read as the next request, and refused as such.
      {"cl-zero-with-body",
       post_head("Content-Length: 0\r\n\r\n") + R"({"Image":"moat-test/busybox","HostConfig":{"Privileged":true}})", 400,
       "it needs a JSON body, and this request has none"},
      {"no-length-with-body", post_head("\r\n") + R"({"Image":"moat-test/busybox","HostConfig":{"Binds":["/:/h"]}})",
       400, "it needs a JSON body, and this request has none"},
      {"http-0.9", "GET /v1.41/containers/json\r\n\r\n", 400, "is not METHOD SP target SP HTTP-version"},
      {"http-2.0", "GET /v1.41/containers/json HTTP/2.0\r\nHost: d\r\n\r\n", 505, "HTTP version \"HTTP/2.0\""},
      {"absolute-form", "GET http://docker/v1.41/containers/json HTTP/1.1\r\nHost: d\r\n\r\n", 400,
       "absolute-form request target"},
      {"method-lowercase", "post " + create_target + next_name() + " HTTP/1.1\r\nHost: d\r\nContent-Length: 2\r\n\r\n{}",
       501, "Moat refused"},
      {"method-unknown", "PATCH /v1.41/containers/x HTTP/1.1\r\nHost: d\r\n\r\n", 501, "Moat refused"},
      {"expect-other", post_head("Expect: 200-ok\r\nContent-Length: 2\r\n\r\n{}"), 417, "only 100-continue"},
      {"nul-in-header", std::string("GET /v1.41/containers/json HTTP/1.1\r\nHost: d\r\nX: a\0b\r\n\r\n", 56), 400,
       "control character 0x00"},
      {"space-in-target", "GET /v1.41/containers/json ?all=1 HTTP/1.1\r\nHost: d\r\n\r\n", 400,
       "Moat refused a malformed request"},
      {"query-semicolon", "GET /v1.41/containers/json?all=1;x=y HTTP/1.1\r\nHost: d\r\n\r\n", 400, "';'"},
      {"query-bad-escape", "GET /v1.41/containers/json?all=%zz HTTP/1.1\r\nHost: d\r\n\r\n", 400,
       "Moat refused a malformed request"},
  };
  for (const auto& [what, bytes, status, expect] : framing) {
    out.push_back({"framing/" + what, bytes, status, expect});
  }

  const std::vector<std::pair<std::string, std::string>> paths = {
      {"/v1.41/containers%2Fcreate", "contains '%'"},
      {"/v1.41//containers/create", "has an empty segment"},
      {"/v1.41/./containers/create", "dot segments are refused"},
      {"/v1.41/x/../containers/create", "dot segments are refused"},
      {"/v1..41/containers/create", "unknown API version prefix shape"},
      {"/V1.41/containers/create", "unknown API version prefix shape"},
      {"/v1.41.0/containers/create", "unknown API version prefix shape"},
      {"/v1/containers/create", "unknown API version prefix shape"},
      {"/v01.41/containers/create", "unknown API version prefix shape"},
      {"/v1.41/containers/create/", "ends with '/'"},
      {"/v1.41/containers/%63reate", "contains '%'"},
      {"/v1.41/containers/create%00", "contains '%'"},
      {"/v1.41/containers/create#x", "Moat refused a malformed request"},
      {"//v1.41/containers/create", "has an empty segment"},
      {"/v1.41/containers/./create", "dot segments are refused"},
  };
  for (const auto& [p, expect] : paths) {
    out.push_back({"path" + p, request("POST", p + "?name=" + next_name(), body), 400, expect});
  }

  const std::vector<std::tuple<std::string, std::string, std::string, std::string, std::string>> endpoints = {
      {"plugin-pull", "POST", "/v1.41/plugins/pull?remote=evil/plugin", "[]", "(setting moat.allowPlugins)"},
      {"plugin-create", "POST", "/v1.41/plugins/create?name=evil", "", "(setting moat.allowPlugins)"},
      {"plugin-enable", "POST", "/v1.41/plugins/evil/enable", "", "(setting moat.allowPlugins)"},
      {"swarm-init", "POST", "/v1.41/swarm/init", R"({"ListenAddr":"0.0.0.0:2377"})", "(setting moat.allowSwarm)"},
      {"swarm-join", "POST", "/v1.41/swarm/join", R"({"RemoteAddrs":["10.0.0.1"]})", "(setting moat.allowSwarm)"},
      {"service-create", "POST", "/v1.41/services/create", R"({"Name":"x"})", "(setting moat.allowSwarm)"},
      {"secret-create", "POST", "/v1.41/secrets/create", R"({"Name":"x","Data":""})", "(setting moat.allowSwarm)"},
      {"config-create", "POST", "/v1.41/configs/create", R"({"Name":"x","Data":""})", "(setting moat.allowSwarm)"},
      {"unknown-endpoint", "GET", "/v1.41/moat/backdoor", "", "(rule endpoint.unknown)"},
      {"unknown-debug", "GET", "/debug/pprof/heap", "", "(rule endpoint.unknown)"},
      {"unknown-method", "PUT", "/v1.41/containers/create", "", "(rule endpoint.unknown)"},
      {"grpc", "POST", "/grpc", "", "(rule endpoint.buildkit-grpc)"},
      {"path-semicolon", "POST", "/v1.41/containers/create;x", "", "(rule endpoint.unknown)"},
      {"volume-bind-root", "POST", "/v1.41/volumes/create",
       R"({"Name":"hostile-vol","Driver":"local","DriverOpts":{"type":"none","o":"bind","device":"/"}})",
       "(rule bind.restricted-path)"},
      {"volume-bind-stack", "POST", "/v1.41/volumes/create",
       "{\"Name\":\"hostile-vol2\",\"Driver\":\"local\",\"DriverOpts\":{\"type\":\"none\",\"o\":\"bind\",\"device\":\"" +
           s.root() + "\"}}",
       "(rule bind.restricted-path)"},
      {"volume-bind-outside-shared", "POST", "/v1.41/volumes/create",
       R"({"Name":"hostile-vol3","Driver":"local","DriverOpts":{"type":"none","o":"bind","device":"/usr"}})",
       "(setting filesharingAllowedDirectories)"},
      {"network-host", "POST", "/v1.41/networks/create", R"({"Name":"hostile-net","Driver":"host"})",
       "(rule network.driver)"},
      {"network-macvlan", "POST", "/v1.41/networks/create", R"({"Name":"hostile-net2","Driver":"macvlan"})",
       "(rule network.driver)"},
      {"network-ipvlan", "POST", "/v1.41/networks/create", R"({"Name":"hostile-net3","Driver":"ipvlan"})",
       "(rule network.driver)"},
      {"build-network-host", "POST", "/v1.41/build?networkmode=host&t=hostile-build", "", "(rule build.network-host)"},
      {"build-remote", "POST", "/v1.41/build?remote=https://example.com/ctx.tar&t=hostile-build2", "",
       "(rule build.remote)"},
      {"image-load", "POST", "/v1.41/images/load", "", "(setting blockDockerLoad)"},
      {"image-import", "POST", "/v1.41/images/create?fromSrc=-&repo=hostile-import", "", "(setting blockDockerLoad)"},
      {"update-device-rules", "POST", "/v1.41/containers/anything/update", R"({"DeviceCgroupRules":["a *:* rwm"]})",
       "(rule container.device-cgroup-rules)"},
      {"start-with-hostconfig", "POST", "/v1.41/containers/anything/start", R"({"Privileged":true})",
       "this endpoint takes no body"},
  };
  for (const auto& [what, method, target, b, expect] : endpoints) {
    const bool malformed = what == "start-with-hostconfig";
    out.push_back({"endpoint/" + what, request(method, target, b), malformed ? 400 : 403, expect});
  }
  return out;
}

// The reply with JSON's escaped quotes undone, to search for messages.
std::string unescaped(std::string reply) {
  for (auto at = reply.find("\\\""); at != std::string::npos; at = reply.find("\\\"", at + 1)) reply.erase(at, 1);
  return reply;
}

// What the engine holds, by name and id, asked on its own socket: any
// object a hostile request managed to create or change shows up here.
std::string engine_state(const TestStack& s) {
  std::string state;
  const std::vector<std::pair<std::string, std::string>> lists = {
      {"/v1.41/containers/json?all=1", "Id"}, {"/v1.41/images/json", "Id"}, {"/v1.41/networks", "Id"},
      {"/v1.41/plugins", "Id"},
  };
  for (const auto& [path, key] : lists) {
    const auto reply = raw_exchange(s.engine_socket(), "GET " + path + " HTTP/1.0\r\n\r\n");
    auto body = nlohmann::json::parse(http_body(reply), nullptr, false);
    if (body.is_discarded() || !body.is_array()) return "unreadable " + path + ": " + reply;
    std::vector<std::string> ids;
    for (const auto& item : body) ids.push_back(item.value(key, "?"));
    std::sort(ids.begin(), ids.end());
    state += path + ":";
    for (const auto& id : ids) state += " " + id;
    state += "\n";
  }
  const auto volumes = nlohmann::json::parse(
      http_body(raw_exchange(s.engine_socket(), "GET /v1.41/volumes HTTP/1.0\r\n\r\n")), nullptr, false);
  state += "volumes: " + (volumes.is_object() ? volumes.value("Volumes", nlohmann::json()).dump() : "unreadable") + "\n";
  const auto info = nlohmann::json::parse(
      http_body(raw_exchange(s.engine_socket(), "GET /v1.41/info HTTP/1.0\r\n\r\n")), nullptr, false);
  state += "swarm: " + (info.is_object() ? info["Swarm"].value("LocalNodeState", "?") : "unreadable") + "\n";
  return state;
}

class HostileRequests : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    stack_ = std::make_unique<TestStack>(
        "hostile", test_admin_settings(R"("blockDockerLoad": {"locked": true, "value": true},
  "portBindingBehavior": {"locked": true, "value": "local-only-port-binding"},
  "filesharingAllowedDirectories": [{"path": "$HOME", "sharedByDefault": true}])"));
    const auto up = stack_->up();
    ASSERT_EQ(up.exit_code, 0) << up.all();
    const auto image = run("tar -C /bin -c busybox | DOCKER_HOST=unix://" + stack_->engine_socket() +
                           " docker import -c 'ENTRYPOINT [\"/busybox\"]' - moat-test/busybox");
    ASSERT_EQ(image.exit_code, 0) << image.all();
    developer();
  }
  static void TearDownTestSuite() {
    if (!stack_) return;
    stack_->down();
    const std::string reports = stack_->sanitizer_reports();
    EXPECT_EQ(reports, "") << "moatd sanitizer reports";
    stack_.reset();
  }
  static std::unique_ptr<TestStack> stack_;
};

std::unique_ptr<TestStack> HostileRequests::stack_;

TEST_F(HostileRequests, AreRefusedAndChangeNothing) {
  auto& s = *stack_;
  const auto cases = corpus(s);
  EXPECT_GE(cases.size(), 150U);
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string before = engine_state(s);
    const std::string reply = raw_exchange(s.user_socket(), c.bytes, developer());
    EXPECT_EQ(http_status(reply), c.status) << reply.substr(0, 600);
    EXPECT_NE(unescaped(reply).find(c.expect), std::string::npos) << reply.substr(0, 600);
    EXPECT_NE(reply.find("{\"message\":"), std::string::npos) << reply.substr(0, 600);
    EXPECT_EQ(engine_state(s), before);
  }
  // Every refusal is in the audit log under the developer's uid, the
  // malformed ones included.
  const std::string uid = run("id -u " + developer()).out;
  const auto denied = s.moatctl("audit query --outcome deny --limit 100000 --json --uid " +
                                uid.substr(0, uid.size() - 1) + " --root " + s.root());
  ASSERT_EQ(denied.exit_code, 0) << denied.all();
  const auto records = static_cast<std::size_t>(std::count(denied.out.begin(), denied.out.end(), '\n'));
  EXPECT_GE(records, cases.size());
  EXPECT_NE(denied.out.find(R"("rule":"request.malformed-http")"), std::string::npos);
  EXPECT_NE(denied.out.find(R"("rule":"bind.restricted-path")"), std::string::npos);
  EXPECT_NE(denied.out.find(R"("rule":"request.body-not-canonical")"), std::string::npos);
}

// The same kinds of request as the developer types them: the CLI prints
// Moat's refusal, and the engine, asked directly, holds nothing new.
TEST_F(HostileRequests, TheCliShowsWhatWasRefusedAndWhy) {
  auto& s = *stack_;
  // A build context big enough that the CLI is still sending it when the
  // refusal comes back: the developer must read the refusal, not a broken
  // pipe.
  ASSERT_EQ(s.as_developer("mkdir -p ~/hostile-ctx && echo 'FROM moat-test/busybox' > ~/hostile-ctx/Dockerfile && "
                           "head -c 33554432 /dev/zero > ~/hostile-ctx/big && "
                           "ln -sfn " + s.engine_socket() + " ~/hostile-link.sock")
                .exit_code,
            0);
  const std::string link = developer_home() + "/hostile-link.sock";
  const std::vector<std::pair<std::string, std::string>> commands = {
      {"run --rm -v /:/host moat-test/busybox true", "(rule bind.restricted-path)"},
      {"run --rm -v " + link + ":/var/run/docker.sock moat-test/busybox true", "(rule bind.restricted-path)"},
      {"run --rm -v /var/run/docker.sock:/s moat-test/busybox true", "(rule bind.restricted-path)"},
      {"run --rm --mount type=bind,source=/etc,target=/e moat-test/busybox true", "(rule bind.restricted-path)"},
      {"run --rm -v /usr:/u moat-test/busybox true", "(setting filesharingAllowedDirectories)"},
      {"run --rm --pid=host moat-test/busybox true", "(rule container.namespace-host)"},
      {"run --rm --network=host moat-test/busybox true", "(rule container.namespace-host)"},
      {"run --rm --ipc=host moat-test/busybox true", "(rule container.namespace-host)"},
      {"run --rm --uts=host moat-test/busybox true", "(rule container.namespace-host)"},
      {"run --rm --userns=host moat-test/busybox true", "(rule container.namespace-host)"},
      {"run --rm --cgroupns=host moat-test/busybox true", "(rule container.namespace-host)"},
      {"run --rm --device /dev/sda moat-test/busybox true", "(rule container.devices)"},
      {"run --rm --device-cgroup-rule 'a *:* rwm' moat-test/busybox true", "(rule container.device-cgroup-rules)"},
      {"run --rm --cap-add SYS_MODULE moat-test/busybox true", "(rule container.capabilities)"},
      {"run --rm --cap-add ALL moat-test/busybox true", "(rule container.capabilities)"},
      {"run --rm --security-opt seccomp=unconfined moat-test/busybox true", "(rule container.seccomp)"},
      {"run --rm --security-opt apparmor=unconfined moat-test/busybox true", "(rule container.apparmor)"},
      {"run --rm --security-opt label=disable moat-test/busybox true", "(rule container.selinux-label)"},
      {"run --rm --security-opt systempaths=unconfined moat-test/busybox true", "(rule container.system-paths)"},
      {"run --rm --sysctl 'kernel.shm_rmid_forced=1+kernel.core_pattern=/tmp/x' moat-test/busybox true",
       "(CVE-2022-0811) (rule container.sysctl)"},
      {"run --rm --runtime io.containerd.runc.v2 moat-test/busybox true", "(rule container.runtime)"},
      {"run --rm --cgroup-parent / moat-test/busybox true", "(rule container.cgroup-parent)"},
      {"run --rm --volumes-from other moat-test/busybox true", "(rule container.volumes-from)"},
      {"run --rm --network container:other moat-test/busybox true", "(rule container.namespace-join)"},
      {"volume create -o type=none -o o=bind -o device=/ hostile-cli-vol", "(rule bind.restricted-path)"},
      {"network create -d macvlan hostile-cli-net", "(rule network.driver)"},
      {"network create -d ipvlan hostile-cli-net", "(rule network.driver)"},
      {"network create --subnet 10.255.255.0/24 --gateway 10.255.255.1 hostile-cli-net",
       "(setting linuxVM.dockerDaemonOptions)"},
      {"network create -o com.docker.network.bridge.name=eth0 hostile-cli-net", "(rule network.driver-option)"},
      {"network create --ipam-driver evil/ipam hostile-cli-net", "(setting moat.allowPlugins)"},
      {"run --rm -p 0.0.0.0:18081:80 moat-test/busybox true", "(setting portBindingBehavior)"},
      {"run --rm -P moat-test/busybox true", "(setting portBindingBehavior)"},
      {"network create -o com.docker.network.bridge.host_binding_ipv4=0.0.0.0 hostile-cli-net",
       "(setting portBindingBehavior)"},
      {"run --rm --log-driver syslog --log-opt syslog-address=tcp://127.0.0.1:9 moat-test/busybox true",
       "(setting moat.allowAnyLogDriver)"},
      {"run --rm --log-driver fluentd --log-opt fluentd-address=unix:///run/docker.sock moat-test/busybox true",
       "(setting moat.allowAnyLogDriver)"},
      {"plugin install --grant-all-permissions evil/plugin", "(setting moat.allowPlugins)"},
      {"swarm init", "(setting moat.allowSwarm)"},
      {"secret ls", "(setting moat.allowSwarm)"},
      {"load -i /dev/null", "(setting blockDockerLoad)"},
      {"import /dev/null hostile-cli-import", "(setting blockDockerLoad)"},
      {"build --network host -t hostile-cli-build ~/hostile-ctx", "(rule build.network-host)"},
  };
  const std::string before = engine_state(s);
  for (const auto& [command, rule] : commands) {
    SCOPED_TRACE(command);
    const auto r = s.as_developer("DOCKER_BUILDKIT=0 docker " + command);
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.err.find("Error response from daemon: Moat refused this request: "), std::string::npos) << r.all();
    EXPECT_NE(r.err.find(rule), std::string::npos) << r.all();
  }
  EXPECT_EQ(engine_state(s), before);
}

// A network's subnet is routed, and its gateway set, in the host's network
// namespace. Before network.subnet, a developer's network over the range of
// the host's nameserver (reached through the default route), with a
// container at the nameserver's address, took the host's DNS queries; and
// -o com.docker.network.bridge.name=<a host bridge> put the engine's
// addresses on that bridge and left them there after the network was gone.
// Here the host's LAN is a bridge inside the engine's pools.
TEST_F(HostileRequests, ANetworkCannotTakeAddressesOrInterfacesTheHostUses) {
  auto& s = *stack_;
  const std::string lan = "moat-e2e-lan";
  run("ip link del " + lan);
  ASSERT_EQ(run("ip link add " + lan + " type bridge && ip addr add 192.168.77.1/24 dev " + lan +
                " && ip link set " + lan + " up")
                .exit_code,
            0);
  const std::string routes = run("ip -4 route show").out;
  const std::string lan_addresses = run("ip -4 -o addr show dev " + lan).out;

  const auto over = s.as_developer("docker network create --subnet 192.168.77.0/24 hostile-lan-net");
  EXPECT_NE(over.exit_code, 0);
  EXPECT_NE(over.err.find("Error response from daemon: Moat refused this request: network subnet "
                          "192.168.77.0/24 is not allowed: it overlaps the host's route to 192.168.77.0/24 "
                          "through " + lan + ", and the host's own traffic there would go to this network's "
                          "containers instead (rule network.subnet)."),
            std::string::npos)
      << over.all();
  const auto inside = s.as_developer("docker network create --subnet 192.168.64.0/20 hostile-lan-net");
  EXPECT_NE(inside.err.find("(rule network.subnet)"), std::string::npos) << inside.all();
  const auto taken = s.as_developer("docker network create -o com.docker.network.bridge.name=" + lan +
                                    " hostile-lan-net");
  EXPECT_NE(taken.err.find("network option com.docker.network.bridge.name=" + lan +
                           " is not allowed"),
            std::string::npos)
      << taken.all();
  EXPECT_EQ(run("ip -4 route show").out, routes);
  EXPECT_EQ(run("ip -4 -o addr show dev " + lan).out, lan_addresses);

  // A free range in the pools is the developer's to pick, and so are the
  // addresses in it.
  const auto own = s.as_developer("docker network create --subnet 192.168.78.0/24 --gateway 192.168.78.1 "
                                  "hostile-own-net");
  EXPECT_EQ(own.exit_code, 0) << own.all();
  const auto addr = s.as_developer("docker run --rm --network hostile-own-net --ip 192.168.78.9 "
                                   "moat-test/busybox ip -4 -o addr show");
  EXPECT_NE(addr.out.find("inet 192.168.78.9/24"), std::string::npos) << addr.all();
  s.engine_docker("network rm hostile-own-net hostile-lan-net");
  run("ip link del " + lan);
}

// Before network.ipv6-forwarding, a developer's `docker network create
// --ipv6` turned net.ipv6.conf.all.forwarding on for the whole host.
TEST_F(HostileRequests, AnIpv6NetworkDoesNotTurnOnForwardingForTheHost) {
  auto& s = *stack_;
  const std::string sysctl = "/proc/sys/net/ipv6/conf/all/forwarding";
  std::string was = run("cat " + sysctl).out;
  was = was.substr(0, was.find('\n'));
  ASSERT_EQ(run("echo 0 > " + sysctl).exit_code, 0);

  const auto refused = s.as_developer("docker network create --ipv6 --subnet fd00:77::/64 hostile-v6-net");
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("Moat refused this request: an IPv6 network is not allowed: the engine would turn "
                             "on IPv6 forwarding for the whole host (net.ipv6.conf.all.forwarding)"),
            std::string::npos)
      << refused.all();
  EXPECT_NE(refused.err.find("(rule network.ipv6-forwarding)"), std::string::npos) << refused.all();
  EXPECT_EQ(run("cat " + sysctl).out, "0\n");

  // Once the admin has the host forward IPv6, nothing changes for the host.
  ASSERT_EQ(run("echo 1 > " + sysctl).exit_code, 0);
  const auto allowed = s.as_developer("docker network create --ipv6 --subnet fd00:77::/64 hostile-v6-net");
  EXPECT_EQ(allowed.exit_code, 0) << allowed.all();
  s.engine_docker("network rm hostile-v6-net");
  run("echo " + was + " > " + sysctl);
}

// portBindingBehavior "local-only-port-binding": a port published without
// an address listens on 127.0.0.1 only, also on a user-defined network (the
// engine's own default address reaches only its default bridge), so nothing
// a developer runs is reachable from another machine; naming another address
// is refused (above, in the CLI list).
TEST_F(HostileRequests, PublishedPortsListenOnlyOnLoopback) {
  auto& s = *stack_;
  // The test stacks' engines have no default bridge.
  ASSERT_EQ(s.as_developer("docker network create hostile-port-net").exit_code, 0);
  const auto started = s.as_developer("docker run -d --name hostile-port --network hostile-port-net -p 18080:80 "
                                      "-p 127.0.0.1:18082:82 moat-test/busybox sleep 30");
  ASSERT_EQ(started.exit_code, 0) << started.all();
  const std::string listening = run("ss -ltnH").out;
  EXPECT_NE(listening.find("127.0.0.1:18080 "), std::string::npos) << listening;
  EXPECT_NE(listening.find("127.0.0.1:18082 "), std::string::npos) << listening;
  EXPECT_EQ(listening.find("0.0.0.0:18080 "), std::string::npos) << listening;
  EXPECT_EQ(listening.find("[::]:18080 "), std::string::npos) << listening;
  EXPECT_EQ(listening.find("*:18080 "), std::string::npos) << listening;
  s.engine_docker("rm -f hostile-port");
  s.engine_docker("network rm hostile-port-net");
}

}  // namespace
}  // namespace moat::testing
