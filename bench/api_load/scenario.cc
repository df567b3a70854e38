#include "api_load/scenario.h"

#include <nlohmann/json.hpp>

#include "core/json/strict_json.h"

namespace moat::bench::api_load {
namespace {

// As docker CLI 28.2.2 sends them over a unix socket (seen on the wire): it
// names the host api.moby.localhost and, on unix sockets, asks for no
// compression, so there is no Accept-Encoding.
constexpr std::string_view kApiPrefix = "/v1.41";
constexpr std::string_view kCommonHeaders =
    "Host: api.moby.localhost\r\n"
    "User-Agent: Docker-Client/28.2.2 (linux)\r\n";

// The body `docker create IMAGE true` sends (1.7 KB), split around the image
// name: every field the CLI fills in, so a guard parses and checks what it
// would see from a developer, not a trimmed-down request.
constexpr std::string_view kCreateBodyHead =
    R"({"Hostname":"","Domainname":"","User":"","AttachStdin":false,"AttachStdout":true,)"
    R"("AttachStderr":true,"Tty":false,"OpenStdin":false,"StdinOnce":false,"Env":null,)"
    R"("Cmd":["true"],"Image":)";
constexpr std::string_view kCreateBodyTail =
    R"(,"Volumes":{},"WorkingDir":"","Entrypoint":null,"OnBuild":null,"Labels":{},)"
    R"("HostConfig":{"Binds":null,"ContainerIDFile":"","LogConfig":{"Type":"","Config":{}},)"
    R"("NetworkMode":"default","PortBindings":{},"RestartPolicy":{"Name":"no","MaximumRetryCount":0},)"
    R"("AutoRemove":false,"VolumeDriver":"","VolumesFrom":null,"ConsoleSize":[0,0],"CapAdd":null,)"
    R"("CapDrop":null,"CgroupnsMode":"","Dns":[],"DnsOptions":[],"DnsSearch":[],"ExtraHosts":null,)"
    R"("GroupAdd":null,"IpcMode":"","Cgroup":"","Links":null,"OomScoreAdj":0,"PidMode":"",)"
    R"("Privileged":false,"PublishAllPorts":false,"ReadonlyRootfs":false,"SecurityOpt":null,)"
    R"("UTSMode":"","UsernsMode":"","ShmSize":0,"Isolation":"","CpuShares":0,"Memory":0,)"
    R"("NanoCpus":0,"CgroupParent":"","BlkioWeight":0,"BlkioWeightDevice":[],)"
    R"("BlkioDeviceReadBps":[],"BlkioDeviceWriteBps":[],"BlkioDeviceReadIOps":[],)"
    R"("BlkioDeviceWriteIOps":[],"CpuPeriod":0,"CpuQuota":0,"CpuRealtimePeriod":0,)"
    R"("CpuRealtimeRuntime":0,"CpusetCpus":"","CpusetMems":"","Devices":[],)"
    R"("DeviceCgroupRules":null,"DeviceRequests":null,"MemoryReservation":0,"MemorySwap":0,)"
    R"("MemorySwappiness":-1,"OomKillDisable":false,"PidsLimit":0,"Ulimits":[],"CpuCount":0,)"
    R"("CpuPercent":0,"IOMaximumIOps":0,"IOMaximumBandwidth":0,"MaskedPaths":null,)"
    R"("ReadonlyPaths":null},"NetworkingConfig":{"EndpointsConfig":{"default":{)"
    R"("IPAMConfig":null,"Links":null,"Aliases":null,"MacAddress":"","DriverOpts":null,)"
    R"("GwPriority":0,"NetworkID":"","EndpointID":"","Gateway":"","IPAddress":"",)"
    R"("IPPrefixLen":0,"IPv6Gateway":"","GlobalIPv6Address":"","GlobalIPv6PrefixLen":0,)"
    R"("DNSNames":null}}}})"
    "\n";

std::string bodiless(std::string_view method, std::string_view target) {
  std::string out;
  out.append(method).append(" ").append(kApiPrefix).append(target).append(" HTTP/1.1\r\n");
  out.append(kCommonHeaders).append("\r\n");
  return out;
}

std::string create_body(std::string_view image) {
  std::string text(kCreateBodyHead);
  text.append(nlohmann::json(std::string(image)).dump()).append(kCreateBodyTail);
  return text;
}

std::string create_request_with_body(const std::string& body) {
  std::string out;
  out.append("POST ").append(kApiPrefix).append("/containers/create HTTP/1.1\r\n");
  out.append(kCommonHeaders);
  out.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
  out.append("Content-Type: application/json\r\n\r\n");
  out.append(body);
  return out;
}

void replace_once(std::string& text, std::string_view from, std::string_view to) {
  const auto at = text.find(from);
  if (at != std::string::npos) text.replace(at, from.size(), to);
}

bool is_hex_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (const char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

std::optional<Scenario> scenario_from_name(std::string_view name) {
  if (name == "ping") return Scenario::kPing;
  if (name == "containers-json") return Scenario::kContainersJson;
  if (name == "create-remove") return Scenario::kCreateRemove;
  if (name == "refused-create") return Scenario::kRefusedCreate;
  return std::nullopt;
}

std::string_view scenario_name(Scenario scenario) {
  switch (scenario) {
    case Scenario::kPing:
      return "ping";
    case Scenario::kContainersJson:
      return "containers-json";
    case Scenario::kCreateRemove:
      return "create-remove";
    case Scenario::kRefusedCreate:
      return "refused-create";
  }
  return "unknown";
}

bool expected_status(Scenario scenario, unsigned status) {
  if (scenario == Scenario::kRefusedCreate) return status == 403;
  return status / 100 == 2;
}

std::string ping_request() { return bodiless("GET", "/_ping"); }

std::string containers_json_request() { return bodiless("GET", "/containers/json"); }

std::string create_request(std::string_view image) {
  return create_request_with_body(create_body(image));
}

std::string refused_create_request(std::string_view image) {
  // The same body with the two fields those flags change.
  std::string body = create_body(image);
  replace_once(body, R"("Binds":null)", R"("Binds":["/:/host"])");
  replace_once(body, R"("Privileged":false)", R"("Privileged":true)");
  return create_request_with_body(body);
}

std::string remove_request(std::string_view container_id) {
  std::string target = "/containers/";
  target.append(container_id).append("?force=1");
  return bodiless("DELETE", target);
}

Result<std::string> container_id_from_create(std::string_view body) {
  const auto doc = core::json::parse_strict(body);
  if (!doc) {
    return fail("create response is not JSON (" + doc.error().message + " at line " +
                std::to_string(doc.error().where.line) + ")");
  }
  const auto& value = doc->value;
  if (!value.is_object() || !value.contains("Id") || !value["Id"].is_string()) {
    return fail("create response has no string \"Id\"");
  }
  auto id = value["Id"].get<std::string>();
  if (!is_hex_id(id)) return fail("create response \"Id\" is not a hex id: " + id);
  return id;
}

}  // namespace moat::bench::api_load
