#include "cli/check/container_create.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <vector>

#include "cli/check/docker_options.h"

namespace moat::cli::check {
namespace {

using nlohmann::json;
using Applied = Result<void, std::string>;

// Everything the flags set, on its way into the body. Flags that map to one
// field write the body directly; the rest are collected and put together
// after the last flag, where docker's `parse` does it.
struct Draft {
  const HostEnvironment* host = nullptr;
  json body;
  std::string name;
  std::vector<std::string> volumes;  // -v as given, first occurrence kept
  std::vector<PortMapping> published;
  std::vector<std::string> exposed;
  std::vector<std::string> networks;
  std::vector<std::string> env;
  std::vector<std::string> attach;
  std::vector<std::string> cdi_devices;
  std::vector<std::string> security_opts;
  std::vector<json> device_requests;
  std::vector<json> mounts;
  std::optional<std::string> entrypoint;
  json restart = {{"Name", "no"}, {"MaximumRetryCount", 0}};
  bool detach = false;
  bool use_api_socket = false;

  json& host_config() { return body["HostConfig"]; }
};

// An endpoint as the CLI sends it when no option shapes it.
json default_endpoint() {
  return {{"IPAMConfig", nullptr},   {"Links", nullptr},         {"Aliases", nullptr}, {"MacAddress", ""},
          {"DriverOpts", nullptr},   {"GwPriority", 0},          {"NetworkID", ""},    {"EndpointID", ""},
          {"Gateway", ""},           {"IPAddress", ""},          {"IPPrefixLen", 0},   {"IPv6Gateway", ""},
          {"GlobalIPv6Address", ""}, {"GlobalIPv6PrefixLen", 0}, {"DNSNames", nullptr}};
}

// container.Config, HostConfig and NetworkingConfig as Go encodes them when
// no flag is given: zero values where the fields have no omitempty, and the
// values the CLI always fills in (empty lists, "default" network, restart
// policy "no", swappiness -1, pids limit 0). EndpointsConfig and the Attach
// fields are decided after the flags.
json zero_body() {
  json host = {
      {"Binds", nullptr},
      {"ContainerIDFile", ""},
      {"LogConfig", {{"Type", ""}, {"Config", json::object()}}},
      {"NetworkMode", "default"},
      {"PortBindings", json::object()},
      {"RestartPolicy", {{"Name", "no"}, {"MaximumRetryCount", 0}}},
      {"AutoRemove", false},
      {"VolumeDriver", ""},
      {"VolumesFrom", nullptr},
      // The CLI sends the terminal's size here; a dry run has no terminal.
      {"ConsoleSize", json::array({0, 0})},
      {"CapAdd", nullptr},
      {"CapDrop", nullptr},
      {"CgroupnsMode", ""},
      {"Dns", json::array()},
      {"DnsOptions", json::array()},
      {"DnsSearch", json::array()},
      {"ExtraHosts", nullptr},
      {"GroupAdd", nullptr},
      {"IpcMode", ""},
      {"Cgroup", ""},
      {"Links", nullptr},
      {"OomScoreAdj", 0},
      {"PidMode", ""},
      {"Privileged", false},
      {"PublishAllPorts", false},
      {"ReadonlyRootfs", false},
      {"SecurityOpt", nullptr},
      {"UTSMode", ""},
      {"UsernsMode", ""},
      {"ShmSize", 0},
      {"Isolation", ""},
      {"CpuShares", 0},
      {"Memory", 0},
      {"NanoCpus", 0},
      {"CgroupParent", ""},
      {"BlkioWeight", 0},
      {"BlkioWeightDevice", json::array()},
      {"BlkioDeviceReadBps", json::array()},
      {"BlkioDeviceWriteBps", json::array()},
      {"BlkioDeviceReadIOps", json::array()},
      {"BlkioDeviceWriteIOps", json::array()},
      {"CpuPeriod", 0},
      {"CpuQuota", 0},
      {"CpuRealtimePeriod", 0},
      {"CpuRealtimeRuntime", 0},
      {"CpusetCpus", ""},
      {"CpusetMems", ""},
      {"Devices", json::array()},
      {"DeviceCgroupRules", nullptr},
      {"DeviceRequests", nullptr},
      {"MemoryReservation", 0},
      {"MemorySwap", 0},
      {"MemorySwappiness", -1},
      {"OomKillDisable", false},
      {"PidsLimit", 0},
      {"Ulimits", nullptr},
      {"CpuCount", 0},
      {"CpuPercent", 0},
      {"IOMaximumIOps", 0},
      {"IOMaximumBandwidth", 0},
      {"MaskedPaths", nullptr},
      {"ReadonlyPaths", nullptr},
  };
  return {
      {"Hostname", ""},
      {"Domainname", ""},
      {"User", ""},
      {"AttachStdin", false},
      {"AttachStdout", false},
      {"AttachStderr", false},
      {"Tty", false},
      {"OpenStdin", false},
      {"StdinOnce", false},
      {"Env", nullptr},
      {"Cmd", nullptr},
      {"Image", ""},
      {"Volumes", json::object()},
      {"WorkingDir", ""},
      {"Entrypoint", nullptr},
      {"OnBuild", nullptr},
      {"Labels", json::object()},
      {"HostConfig", host},
      {"NetworkingConfig", {{"EndpointsConfig", json::object()}}},
  };
}

void push(json& list, const std::string& value) {
  if (!list.is_array()) list = json::array();
  list.push_back(value);
}

Result<std::int64_t, std::string> go_int(const std::string& value) {
  const auto n = parse_go_int(value);
  if (!n) return unexpected("strconv.ParseInt: parsing \"" + value + "\": invalid syntax");
  return *n;
}

// "" or host, and container:<name> where `joinable`.
bool valid_namespace_mode(const std::string& mode, bool joinable) {
  if (mode.empty() || mode == "host") return true;
  return joinable && mode.starts_with("container:") && mode.size() > 10;
}

enum class Only { kBoth, kRun };

using Apply = Applied (*)(Draft&, const std::string&);

struct CreateFlag {
  FlagName name;
  Apply apply = nullptr;  // nullptr: a docker flag this check does not translate
  Only only = Only::kBoth;
  std::string_view why_not = "moatctl check does not translate it";
};

// Every flag of `docker run` and `docker create` (docker CLI 28), and where
// each lands in the request.
const std::vector<CreateFlag>& create_flags() {
  static const std::vector<CreateFlag> table = {
      // Streams and terminal.
      {{"attach", 'a'}, [](Draft& d, const std::string& v) -> Applied {
         const std::string stream = to_lower(v);
         if (stream != "stdin" && stream != "stdout" && stream != "stderr") {
           return unexpected(std::string("valid streams are STDIN, STDOUT and STDERR"));
         }
         d.attach.push_back(stream);
         return {};
       }},
      {{"detach", 'd', false}, [](Draft& d, const std::string& v) -> Applied { d.detach = v == "true"; return {}; },
       Only::kRun},
      {{"detach-keys", 0}, no_request_effect<Draft>, Only::kRun},  // used when attaching, not sent on create
      {{"sig-proxy", 0, false}, no_request_effect<Draft>, Only::kRun},
      {{"interactive", 'i', false}, [](Draft& d, const std::string& v) -> Applied {
         d.body["OpenStdin"] = v == "true";
         return {};
       }},
      {{"tty", 't', false}, [](Draft& d, const std::string& v) -> Applied {
         d.body["Tty"] = v == "true";
         return {};
       }},
      {{"rm", 0, false}, [](Draft& d, const std::string& v) -> Applied {
         d.host_config()["AutoRemove"] = v == "true";
         return {};
       }},
      {{"name", 0}, [](Draft& d, const std::string& v) -> Applied { d.name = v; return {}; }},

      // The process.
      {{"env", 'e'}, [](Draft& d, const std::string& v) -> Applied {
         auto env = validate_env(v, *d.host);
         if (!env) return unexpected(env.error());
         d.env.push_back(*env);
         return {};
       }},
      {{"user", 'u'}, [](Draft& d, const std::string& v) -> Applied { d.body["User"] = v; return {}; }},
      {{"workdir", 'w'}, [](Draft& d, const std::string& v) -> Applied { d.body["WorkingDir"] = v; return {}; }},
      {{"entrypoint", 0}, [](Draft& d, const std::string& v) -> Applied { d.entrypoint = v; return {}; }},
      {{"hostname", 'h'}, [](Draft& d, const std::string& v) -> Applied { d.body["Hostname"] = v; return {}; }},
      {{"domainname", 0}, [](Draft& d, const std::string& v) -> Applied { d.body["Domainname"] = v; return {}; }},
      {{"label", 'l'}, [](Draft& d, const std::string& v) -> Applied {
         if (auto ok = validate_label(v); !ok) return unexpected(ok.error());
         const Cut kv = cut(v, '=');
         d.body["Labels"][kv.before] = kv.after;
         return {};
       }},
      {{"stop-signal", 0}, [](Draft& d, const std::string& v) -> Applied {
         if (v.empty()) {
           d.body.erase("StopSignal");  // omitempty
         } else {
           d.body["StopSignal"] = v;
         }
         return {};
       }},
      {{"stop-timeout", 0}, [](Draft& d, const std::string& v) -> Applied {
         const auto n = go_int(v);
         if (!n) return unexpected(n.error());
         d.body["StopTimeout"] = *n;
         return {};
       }},
      {{"init", 0, false}, [](Draft& d, const std::string& v) -> Applied {
         d.host_config()["Init"] = v == "true";
         return {};
       }},
      {{"restart", 0}, [](Draft& d, const std::string& v) -> Applied {
         auto policy = parse_restart_policy(v);
         if (!policy) return unexpected(policy.error());
         d.restart = *policy;
         return {};
       }},

      // Storage.
      {{"volume", 'v'}, [](Draft& d, const std::string& v) -> Applied {
         if (auto spec = parse_volume_spec(v); !spec) return unexpected(spec.error());
         if (std::find(d.volumes.begin(), d.volumes.end(), v) == d.volumes.end()) d.volumes.push_back(v);
         return {};
       }},
      {{"mount", 0}, [](Draft& d, const std::string& v) -> Applied {
         auto mount = parse_mount(v, *d.host);
         if (!mount) return unexpected(mount.error());
         d.mounts.push_back(*mount);
         return {};
       }},
      {{"tmpfs", 0}, [](Draft& d, const std::string& v) -> Applied {
         const Cut kv = cut(v, ':');
         d.host_config()["Tmpfs"][kv.before] = kv.after;
         return {};
       }},
      {{"volumes-from", 0}, [](Draft& d, const std::string& v) -> Applied {
         push(d.host_config()["VolumesFrom"], v);
         return {};
       }},
      {{"volume-driver", 0}, [](Draft& d, const std::string& v) -> Applied {
         d.host_config()["VolumeDriver"] = v;
         return {};
       }},
      {{"read-only", 0, false}, [](Draft& d, const std::string& v) -> Applied {
         d.host_config()["ReadonlyRootfs"] = v == "true";
         return {};
       }},
      {{"use-api-socket", 0, false}, [](Draft& d, const std::string& v) -> Applied {
         d.use_api_socket = v == "true";
         return {};
       }},

      // Privileges and confinement.
      {{"privileged", 0, false}, [](Draft& d, const std::string& v) -> Applied {
         d.host_config()["Privileged"] = v == "true";
         return {};
       }},
      {{"cap-add", 0}, [](Draft& d, const std::string& v) -> Applied {
         push(d.host_config()["CapAdd"], normalize_capability(v));
         return {};
       }},
      {{"cap-drop", 0}, [](Draft& d, const std::string& v) -> Applied {
         push(d.host_config()["CapDrop"], normalize_capability(v));
         return {};
       }},
      {{"security-opt", 0}, [](Draft& d, const std::string& v) -> Applied {
         auto option = validate_security_opt(v, *d.host);
         if (!option) return unexpected(option.error());
         d.security_opts.push_back(*option);
         return {};
       }},
      {{"sysctl", 0}, [](Draft& d, const std::string& v) -> Applied {
         if (auto ok = validate_sysctl(v); !ok) return unexpected(ok.error());
         const Cut kv = cut(v, '=');
         d.host_config()["Sysctls"][kv.before] = kv.after;
         return {};
       }},
      {{"group-add", 0}, [](Draft& d, const std::string& v) -> Applied {
         push(d.host_config()["GroupAdd"], v);
         return {};
       }},
      {{"runtime", 0}, [](Draft& d, const std::string& v) -> Applied {
         if (v.empty()) {
           d.host_config().erase("Runtime");  // omitempty
         } else {
           d.host_config()["Runtime"] = v;
         }
         return {};
       }},
      {{"cgroup-parent", 0}, [](Draft& d, const std::string& v) -> Applied {
         d.host_config()["CgroupParent"] = v;
         return {};
       }},
      {{"oom-score-adj", 0}, [](Draft& d, const std::string& v) -> Applied {
         const auto n = go_int(v);
         if (!n) return unexpected(n.error());
         d.host_config()["OomScoreAdj"] = *n;
         return {};
       }},

      // Devices.
      {{"device", 0}, [](Draft& d, const std::string& v) -> Applied {
         if (is_cdi_device_name(v)) {
           d.cdi_devices.push_back(v);
           return {};
         }
         auto device = parse_device(v);
         if (!device) return unexpected(device.error());
         d.host_config()["Devices"].push_back(*device);
         return {};
       }},
      {{"device-cgroup-rule", 0}, [](Draft& d, const std::string& v) -> Applied {
         if (auto ok = validate_device_cgroup_rule(v); !ok) return unexpected(ok.error());
         push(d.host_config()["DeviceCgroupRules"], v);
         return {};
       }},
      {{"gpus", 0}, [](Draft& d, const std::string& v) -> Applied {
         auto request = parse_gpus(v);
         if (!request) return unexpected(request.error());
         d.device_requests.push_back(*request);
         return {};
       }},

      // Namespaces.
      {{"pid", 0}, [](Draft& d, const std::string& v) -> Applied {
         if (!valid_namespace_mode(v, true)) return unexpected(std::string("--pid: invalid PID mode"));
         d.host_config()["PidMode"] = v;
         return {};
       }},
      {{"ipc", 0}, [](Draft& d, const std::string& v) -> Applied { d.host_config()["IpcMode"] = v; return {}; }},
      {{"uts", 0}, [](Draft& d, const std::string& v) -> Applied {
         if (!valid_namespace_mode(v, false)) return unexpected(std::string("--uts: invalid UTS mode"));
         d.host_config()["UTSMode"] = v;
         return {};
       }},
      {{"userns", 0}, [](Draft& d, const std::string& v) -> Applied {
         if (!valid_namespace_mode(v, false)) return unexpected(std::string("--userns: invalid USER mode"));
         d.host_config()["UsernsMode"] = v;
         return {};
       }},
      {{"cgroupns", 0}, [](Draft& d, const std::string& v) -> Applied {
         if (v != "" && v != "host" && v != "private") {
           return unexpected(std::string("--cgroupns: invalid CGROUP mode"));
         }
         d.host_config()["CgroupnsMode"] = v;
         return {};
       }},

      // Network.
      {{"network", 0}, [](Draft& d, const std::string& v) -> Applied {
         if (v.find('=') != std::string::npos) {
           return unexpected(std::string("the advanced syntax (name=...,alias=...) is not supported by moatctl check"));
         }
         if (std::all_of(v.begin(), v.end(), [](unsigned char c) { return std::isspace(c) != 0; })) {
           return unexpected(std::string("no name set for network"));
         }
         d.networks.push_back(v);
         return {};
       }},
      {{"publish", 'p'}, [](Draft& d, const std::string& v) -> Applied {
         auto mappings = parse_publish(v);
         if (!mappings) return unexpected(mappings.error());
         d.published.insert(d.published.end(), mappings->begin(), mappings->end());
         return {};
       }},
      {{"publish-all", 'P', false}, [](Draft& d, const std::string& v) -> Applied {
         d.host_config()["PublishAllPorts"] = v == "true";
         return {};
       }},
      {{"expose", 0}, [](Draft& d, const std::string& v) -> Applied {
         auto ports = parse_expose(v);
         if (!ports) return unexpected(ports.error());
         d.exposed.insert(d.exposed.end(), ports->begin(), ports->end());
         return {};
       }},
      {{"dns", 0}, [](Draft& d, const std::string& v) -> Applied {
         auto ip = validate_dns(v);
         if (!ip) return unexpected(ip.error());
         d.host_config()["Dns"].push_back(*ip);
         return {};
       }},
      {{"add-host", 0}, [](Draft& d, const std::string& v) -> Applied {
         auto host = validate_extra_host(v);
         if (!host) return unexpected(host.error());
         push(d.host_config()["ExtraHosts"], *host);
         return {};
       }},

      // Resources.
      {{"memory", 'm'}, [](Draft& d, const std::string& v) -> Applied {
         const auto bytes = ram_in_bytes(v);
         if (!bytes) return unexpected(bytes.error());
         d.host_config()["Memory"] = *bytes;
         return {};
       }},
      {{"shm-size", 0}, [](Draft& d, const std::string& v) -> Applied {
         const auto bytes = ram_in_bytes(v);
         if (!bytes) return unexpected(bytes.error());
         d.host_config()["ShmSize"] = *bytes;
         return {};
       }},
      {{"cpus", 0}, [](Draft& d, const std::string& v) -> Applied {
         const auto nano = nano_cpus(v);
         if (!nano) return unexpected(nano.error());
         d.host_config()["NanoCpus"] = *nano;
         return {};
       }},
      {{"pids-limit", 0}, [](Draft& d, const std::string& v) -> Applied {
         const auto n = go_int(v);
         if (!n) return unexpected(n.error());
         d.host_config()["PidsLimit"] = *n;
         return {};
       }},

      // Image handling: no effect on the create request.
      {{"pull", 0}, [](Draft&, const std::string& v) -> Applied {
         if (v != "always" && v != "missing" && v != "never" && !v.empty()) {
           return unexpected("invalid pull option: '" + v + "': must be one of \"always\", \"missing\" or \"never\"");
         }
         return {};
       }},
      {{"quiet", 'q', false}, no_request_effect<Draft>},
      {{"disable-content-trust", 0, false}, no_request_effect<Draft>},

      // Known to docker, not translated here.
      {{"annotation", 0}, nullptr, Only::kBoth, "the docker CLI sends it only to API 1.43 and later"},
      {{"blkio-weight", 0}}, {{"blkio-weight-device", 0}}, {{"cidfile", 0}},
      {{"cpu-count", 0}}, {{"cpu-percent", 0}}, {{"cpu-period", 0}}, {{"cpu-quota", 0}},
      {{"cpu-rt-period", 0}}, {{"cpu-rt-runtime", 0}}, {{"cpu-shares", 'c'}}, {{"cpuset-cpus", 0}},
      {{"cpuset-mems", 0}}, {{"device-read-bps", 0}}, {{"device-read-iops", 0}},
      {{"device-write-bps", 0}}, {{"device-write-iops", 0}}, {{"dns-opt", 0}}, {{"dns-option", 0}},
      {{"dns-search", 0}},
      {{"env-file", 0}, nullptr, Only::kBoth, "it reads variables from a file; give them with -e instead"},
      {{"health-cmd", 0}}, {{"health-interval", 0}}, {{"health-retries", 0}}, {{"health-start-interval", 0}},
      {{"health-start-period", 0}}, {{"health-timeout", 0}}, {{"no-healthcheck", 0, false}},
      {{"help", 0, false}, nullptr, Only::kBoth, "it prints docker's usage and sends nothing"},
      {{"io-maxbandwidth", 0}}, {{"io-maxiops", 0}}, {{"ip", 0}}, {{"ip6", 0}}, {{"isolation", 0}},
      {{"kernel-memory", 0}},
      {{"label-file", 0}, nullptr, Only::kBoth, "it reads labels from a file; give them with --label instead"},
      {{"link", 0}}, {{"link-local-ip", 0}}, {{"log-driver", 0}}, {{"log-opt", 0}}, {{"mac-address", 0}},
      {{"memory-reservation", 0}}, {{"memory-swap", 0}}, {{"memory-swappiness", 0}},
      {{"net-alias", 0}}, {{"network-alias", 0}}, {{"oom-kill-disable", 0, false}}, {{"platform", 0}},
      {{"storage-opt", 0}}, {{"ulimit", 0}},
  };
  return table;
}

// "--net" is docker's hidden spelling of "--network".
const CreateFlag& net_alias() {
  static const CreateFlag flag = [] {
    CreateFlag f = *std::find_if(create_flags().begin(), create_flags().end(),
                                 [](const CreateFlag& c) { return c.name.long_name == "network"; });
    f.name.long_name = "net";
    return f;
  }();
  return flag;
}

const std::vector<CreateFlag>& flags_for(CreateCommand command) {
  static const auto build = [](bool run) {
    std::vector<CreateFlag> out;
    for (const auto& f : create_flags()) {
      if (f.only == Only::kBoth || run) out.push_back(f);
    }
    out.push_back(net_alias());
    return out;
  };
  static const std::vector<CreateFlag> run_table = build(true);
  static const std::vector<CreateFlag> create_table = build(false);
  return command == CreateCommand::kRun ? run_table : create_table;
}

// Environment entries with one value per name, the last given winning.
json env_list(const std::vector<std::string>& env) {
  if (env.empty()) return nullptr;
  std::vector<std::string> out;
  for (const auto& entry : env) {
    const std::string name = cut(entry, '=').before;
    const auto same =
        std::find_if(out.begin(), out.end(), [&name](const std::string& e) { return cut(e, '=').before == name; });
    if (same != out.end()) {
      *same = entry;
    } else {
      out.push_back(entry);
    }
  }
  return out;
}

bool user_defined_network(const std::string& mode) {
  return mode != "default" && mode != "bridge" && mode != "host" && mode != "none" && !mode.starts_with("container:");
}

// Puts together what several flags decide jointly, as docker's `parse` and
// `runContainer` do.
Result<void, std::string> assemble(Draft& d, bool run, std::span<const std::string> positionals) {
  json& body = d.body;
  json& host = d.host_config();
  body["Image"] = positionals[0];
  if (positionals.size() > 1) body["Cmd"] = std::vector<std::string>(positionals.begin() + 1, positionals.end());
  body["Env"] = env_list(d.env);

  for (const auto& volume : d.volumes) {
    const auto spec = parse_volume_spec(volume);
    if (spec->source.empty()) {
      body["Volumes"][volume] = json::object();
    } else {
      push(host["Binds"], bind_as_sent(volume, *d.host));
    }
  }
  if (d.entrypoint) body["Entrypoint"] = json::array({*d.entrypoint});

  for (const auto& mapping : d.published) {
    host["PortBindings"][mapping.port].push_back(mapping.binding);
    body["ExposedPorts"][mapping.port] = json::object();
  }
  for (const auto& port : d.exposed) body["ExposedPorts"][port] = json::object();

  std::vector<json> requests = d.device_requests;
  if (!d.cdi_devices.empty()) {
    requests.push_back({{"Driver", "cdi"},
                        {"Count", 0},
                        {"DeviceIDs", d.cdi_devices},
                        {"Capabilities", nullptr},
                        {"Options", nullptr}});
  }
  if (!requests.empty()) host["DeviceRequests"] = requests;

  // systempaths=unconfined is the CLI's own option: it empties the masked
  // and read-only path lists instead of being sent.
  for (const auto& option : d.security_opts) {
    if (option == "systempaths=unconfined") {
      host["MaskedPaths"] = json::array();
      host["ReadonlyPaths"] = json::array();
    } else {
      push(host["SecurityOpt"], option);
    }
  }

  // The client library sends capabilities de-duplicated and sorted.
  for (const char* field : {"CapAdd", "CapDrop"}) {
    if (!host[field].is_array()) continue;
    auto caps = host[field].get<std::vector<std::string>>();
    std::sort(caps.begin(), caps.end());
    caps.erase(std::unique(caps.begin(), caps.end()), caps.end());
    host[field] = caps;
  }

  host["RestartPolicy"] = d.restart;
  const std::string restart = d.restart["Name"].get<std::string>();
  if (host["AutoRemove"].get<bool>() && restart != "no" && !restart.empty()) {
    return unexpected(std::string("conflicting options: cannot specify both --restart and --rm"));
  }

  const bool open_stdin = body["OpenStdin"].get<bool>();
  const auto attached = [&d](const char* stream) {
    return std::find(d.attach.begin(), d.attach.end(), stream) != d.attach.end();
  };
  body["AttachStdin"] = attached("stdin") || open_stdin;
  body["AttachStdout"] = attached("stdout") || d.attach.empty();
  body["AttachStderr"] = attached("stderr") || d.attach.empty();
  body["StdinOnce"] = open_stdin && body["AttachStdin"].get<bool>();

  json endpoints = json::object();
  if (d.networks.empty()) {
    endpoints["default"] = default_endpoint();
  } else {
    host["NetworkMode"] = d.networks.front();
    bool user_defined = false;
    bool builtin = false;
    for (const auto& network : d.networks) {
      (user_defined_network(network) ? user_defined : builtin) = true;
      if (endpoints.contains(network)) return unexpected("network \"" + network + "\" is specified multiple times");
      // A single network without options gets no endpoint entry.
      if (d.networks.size() > 1) endpoints[network] = default_endpoint();
    }
    if (user_defined && builtin) {
      return unexpected(
          std::string("conflicting options: cannot attach both user-defined and non-user-defined network-modes"));
    }
  }
  body["NetworkingConfig"]["EndpointsConfig"] = endpoints;

  if (d.use_api_socket) {
    d.mounts.push_back({{"Type", "bind"},
                        {"Source", "/var/run/docker.sock"},
                        {"Target", "/var/run/docker.sock"},
                        {"BindOptions", json::object()}});
  }
  if (!d.mounts.empty()) host["Mounts"] = d.mounts;

  if (run && d.detach) {
    if (!d.attach.empty())
      return unexpected(std::string("conflicting options: cannot specify both --attach and --detach"));
    body["AttachStdin"] = false;
    body["AttachStdout"] = false;
    body["AttachStderr"] = false;
    body["StdinOnce"] = false;
  }
  return {};
}

}  // namespace

Result<TranslatedRequest, CommandLineError> translate_container_create(CreateCommand command,
                                                                       std::span<const std::string> args,
                                                                       const HostEnvironment& host) {
  const bool run = command == CreateCommand::kRun;
  const std::string name = run ? "docker run" : "docker create";
  const auto& table = flags_for(command);
  auto parsed = parse_flags<CreateFlag>(table, args, false, name);
  if (!parsed) return unexpected(parsed.error());

  Draft draft;
  draft.host = &host;
  draft.body = zero_body();
  for (const auto& use : parsed->flags) {
    if (use.flag->apply == nullptr) {
      return unexpected(
          CommandLineError{name + ": " + use.written + " is not supported: " + std::string(use.flag->why_not)});
    }
    if (auto applied = use.flag->apply(draft, use.value); !applied) {
      return unexpected(CommandLineError{name + ": invalid argument \"" + use.value + "\" for \"" + use.written +
                                         "\" flag: " + applied.error()});
    }
  }
  if (parsed->positionals.empty()) {
    return unexpected(
        CommandLineError{name + ": an image is required (\"" + name + "\" requires at least 1 argument)"});
  }
  if (auto assembled = assemble(draft, run, parsed->positionals); !assembled) {
    return unexpected(CommandLineError{name + ": " + assembled.error()});
  }
  TranslatedRequest out;
  out.request.method = "POST";
  out.request.segments = {"containers", "create"};
  if (!draft.name.empty()) out.request.query.emplace_back("name", draft.name);
  out.request.body = std::move(draft.body);
  return out;
}

}  // namespace moat::cli::check
