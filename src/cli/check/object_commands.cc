// docker volume create, network create, plugin install and swarm init: the
// bodies the CLI sends, with Go's omitempty fields left out.
#include <vector>

#include "cli/check/docker_options.h"
#include "cli/check/engine_commands.h"
#include "core/image/image_ref.h"
#include "core/net/ip_prefix.h"

namespace moat::cli::check {
namespace {

using nlohmann::json;
using Applied = Result<void, std::string>;

// opts.MapOpts without a validator: key[=value].
void set_map_entry(json& map, const std::string& value) {
  const Cut kv = cut(value, '=');
  map[kv.before] = kv.after;
}

Applied set_label(json& labels, const std::string& value) {
  if (auto ok = validate_label(value); !ok) return unexpected(ok.error());
  set_map_entry(labels, value);
  return {};
}

constexpr std::string_view kSwarmOnly = "it configures swarm cluster volumes or networks";

// --- volume create ---

struct VolumeDraft {
  std::string driver = "local";
  std::string name;
  json options = json::object();
  json labels = json::object();
};

const std::vector<CommandFlag<VolumeDraft>>& volume_flags() {
  static const std::vector<CommandFlag<VolumeDraft>> table = {
      {{"driver", 'd'},
       [](VolumeDraft& d, const std::string& v) -> Applied {
         d.driver = v;
         return {};
       }},
      {{"opt", 'o'},
       [](VolumeDraft& d, const std::string& v) -> Applied {
         set_map_entry(d.options, v);
         return {};
       }},
      {{"label", 0}, [](VolumeDraft& d, const std::string& v) -> Applied { return set_label(d.labels, v); }},
      {{"name", 0},
       [](VolumeDraft& d, const std::string& v) -> Applied {
         d.name = v;
         return {};
       }},
      {{"availability", 0}, nullptr, kSwarmOnly},
      {{"group", 0}, nullptr, kSwarmOnly},
      {{"limit-bytes", 0}, nullptr, kSwarmOnly},
      {{"required-bytes", 0}, nullptr, kSwarmOnly},
      {{"scope", 0}, nullptr, kSwarmOnly},
      {{"secret", 0}, nullptr, kSwarmOnly},
      {{"sharing", 0}, nullptr, kSwarmOnly},
      {{"topology-preferred", 0}, nullptr, kSwarmOnly},
      {{"topology-required", 0}, nullptr, kSwarmOnly},
      {{"type", 0}, nullptr, kSwarmOnly},
      {{"help", 0, false}, nullptr, "it prints docker's usage and sends nothing"},
  };
  return table;
}

// --- network create ---

struct NetworkDraft {
  json body = {{"CheckDuplicate", true},  // the client sets it below API 1.44
               {"Driver", "bridge"},
               {"Scope", ""},
               {"IPAM", {{"Driver", "default"}, {"Options", json::object()}, {"Config", json::array()}}},
               {"Internal", false},
               {"Attachable", false},
               {"Ingress", false},
               {"ConfigOnly", false},
               {"ConfigFrom", nullptr},
               {"Options", json::object()},
               {"Labels", json::object()}};
  // --subnet, --ip-range, --gateway, --aux-address: consolidated into
  // IPAM.Config once every flag is read, as the CLI does.
  std::vector<std::string> subnets;
  std::vector<std::string> ranges;
  std::vector<std::string> gateways;
  std::vector<std::pair<std::string, std::string>> auxiliary;
};

// pflag's StringSlice: each use adds the fields of one CSV record.
Applied append_csv(std::vector<std::string>& list, const std::string& value) {
  if (value.empty()) return {};
  auto fields = read_csv_record(value);
  if (!fields) return unexpected(fields.error());
  list.insert(list.end(), fields->begin(), fields->end());
  return {};
}

// Whether `subnet` holds the address or range `data`, as the CLI's
// subnetMatches: a range is judged by its first address as written.
Result<bool, std::string> subnet_matches(const std::string& subnet, const std::string& data) {
  using core::net::IpPrefix;
  const auto network = IpPrefix::parse(subnet, false);
  if (!network) return unexpected("invalid subnet: " + network.error().message);
  const std::string address = data.substr(0, data.find('/'));
  const auto ip = IpPrefix::parse(address, true);
  if (!ip) return false;
  return network->contains(*ip);
}

// The CLI's consolidateIpam: one IPAM.Config entry a subnet, each range,
// gateway and auxiliary address put with the subnet that holds it.
Applied consolidate_ipam(NetworkDraft& d) {
  if (d.subnets.size() < d.ranges.size() || d.subnets.size() < d.gateways.size()) {
    return unexpected(std::string("every ip-range or gateway must have a corresponding subnet"));
  }
  std::vector<json> configs;
  for (std::size_t i = 0; i < d.subnets.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      const auto one = subnet_matches(d.subnets[i], d.subnets[j]);
      if (!one) return unexpected(one.error());
      const auto other = subnet_matches(d.subnets[j], d.subnets[i]);
      if (!other) return unexpected(other.error());
      if (*one || *other) return unexpected(std::string("multiple overlapping subnet configuration is not supported"));
    }
    configs.push_back({{"Subnet", d.subnets[i]}});
  }
  const auto place = [&](const std::string& value, const char* key, const char* what) -> Applied {
    bool matched = false;
    for (std::size_t i = 0; i < d.subnets.size(); ++i) {
      const auto ok = subnet_matches(d.subnets[i], value);
      if (!ok) return unexpected(ok.error());
      if (!*ok) continue;
      if (configs[i].contains(key)) {
        return unexpected("cannot configure multiple " + std::string(what) + "s (" + value + ", " +
                          configs[i][key].get<std::string>() + ") on the same subnet (" + d.subnets[i] + ")");
      }
      configs[i][key] = value;
      matched = true;
    }
    if (!matched) return unexpected("no matching subnet for " + std::string(what) + " " + value);
    return {};
  };
  for (const auto& range : d.ranges) {
    if (auto placed = place(range, "IPRange", "range"); !placed) return placed;
  }
  for (const auto& gateway : d.gateways) {
    if (auto placed = place(gateway, "Gateway", "gateway"); !placed) return placed;
  }
  for (const auto& [name, address] : d.auxiliary) {
    bool matched = false;
    for (std::size_t i = 0; i < d.subnets.size(); ++i) {
      const auto ok = subnet_matches(d.subnets[i], address);
      if (!ok) return unexpected(ok.error());
      if (!*ok) continue;
      configs[i]["AuxiliaryAddresses"][name] = address;
      matched = true;
    }
    if (!matched) return unexpected("no matching subnet for aux-address " + address);
  }
  d.body["IPAM"]["Config"] = configs;
  return {};
}

const std::vector<CommandFlag<NetworkDraft>>& network_flags() {
  static const std::vector<CommandFlag<NetworkDraft>> table = {
      {{"driver", 'd'},
       [](NetworkDraft& d, const std::string& v) -> Applied {
         d.body["Driver"] = v;
         return {};
       }},
      {{"opt", 'o'},
       [](NetworkDraft& d, const std::string& v) -> Applied {
         set_map_entry(d.body["Options"], v);
         return {};
       }},
      {{"label", 0}, [](NetworkDraft& d, const std::string& v) -> Applied { return set_label(d.body["Labels"], v); }},
      {{"internal", 0, false},
       [](NetworkDraft& d, const std::string& v) -> Applied {
         d.body["Internal"] = v == "true";
         return {};
       }},
      {{"attachable", 0, false},
       [](NetworkDraft& d, const std::string& v) -> Applied {
         d.body["Attachable"] = v == "true";
         return {};
       }},
      {{"ingress", 0, false},
       [](NetworkDraft& d, const std::string& v) -> Applied {
         d.body["Ingress"] = v == "true";
         return {};
       }},
      {{"config-only", 0, false},
       [](NetworkDraft& d, const std::string& v) -> Applied {
         d.body["ConfigOnly"] = v == "true";
         return {};
       }},
      {{"ipv6", 0, false},
       [](NetworkDraft& d, const std::string& v) -> Applied {
         d.body["EnableIPv6"] = v == "true";
         return {};
       }},
      {{"scope", 0},
       [](NetworkDraft& d, const std::string& v) -> Applied {
         d.body["Scope"] = v;
         return {};
       }},
      {{"ipam-driver", 0},
       [](NetworkDraft& d, const std::string& v) -> Applied {
         d.body["IPAM"]["Driver"] = v;
         return {};
       }},
      {{"ipv4", 0, false}, nullptr, "the docker CLI sends it only to API 1.47 and later"},
      {{"aux-address", 0},
       [](NetworkDraft& d, const std::string& v) -> Applied {
         const Cut kv = cut(v, '=');
         d.auxiliary.emplace_back(kv.before, kv.after);
         return {};
       }},
      {{"config-from", 0},
       [](NetworkDraft& d, const std::string& v) -> Applied {
         d.body["ConfigFrom"] = {{"Network", v}};
         return {};
       }},
      {{"gateway", 0}, [](NetworkDraft& d, const std::string& v) -> Applied { return append_csv(d.gateways, v); }},
      {{"ip-range", 0}, [](NetworkDraft& d, const std::string& v) -> Applied { return append_csv(d.ranges, v); }},
      {{"ipam-opt", 0},
       [](NetworkDraft& d, const std::string& v) -> Applied {
         set_map_entry(d.body["IPAM"]["Options"], v);
         return {};
       }},
      {{"subnet", 0}, [](NetworkDraft& d, const std::string& v) -> Applied { return append_csv(d.subnets, v); }},
      {{"help", 0, false}, nullptr, "it prints docker's usage and sends nothing"},
  };
  return table;
}

// --- plugin install ---

struct PluginDraft {
  std::string alias;
};

const std::vector<CommandFlag<PluginDraft>>& plugin_flags() {
  static const std::vector<CommandFlag<PluginDraft>> table = {
      {{"alias", 0},
       [](PluginDraft& d, const std::string& v) -> Applied {
         d.alias = v;
         return {};
       }},
      {{"disable", 0, false}, no_request_effect<PluginDraft>},  // a later request, after the install
      {{"disable-content-trust", 0, false}, no_request_effect<PluginDraft>},
      {{"grant-all-permissions", 0, false}, no_request_effect<PluginDraft>},
      {{"help", 0, false}, nullptr, "it prints docker's usage and sends nothing"},
  };
  return table;
}

// --- swarm init ---

struct SwarmDraft {
  json body = {{"ListenAddr", "0.0.0.0:2377"},
               {"AdvertiseAddr", ""},
               {"DataPathAddr", ""},
               {"DataPathPort", 0},
               {"ForceNewCluster", false},
               {"Spec",
                {{"Labels", nullptr},
                 {"Orchestration", json::object()},
                 {"Raft", {{"ElectionTick", 0}, {"HeartbeatTick", 0}}},
                 {"Dispatcher", json::object()},
                 {"CAConfig", json::object()},
                 {"TaskDefaults", json::object()},
                 {"EncryptionConfig", {{"AutoLockManagers", false}}}}},
               {"AutoLockManagers", false},
               {"Availability", ""},
               {"DefaultAddrPool", nullptr},
               {"SubnetSize", 24}};
};

const std::vector<CommandFlag<SwarmDraft>>& swarm_flags() {
  static const std::vector<CommandFlag<SwarmDraft>> table = {
      {{"advertise-addr", 0},
       [](SwarmDraft& d, const std::string& v) -> Applied {
         d.body["AdvertiseAddr"] = v;
         return {};
       }},
      {{"force-new-cluster", 0, false},
       [](SwarmDraft& d, const std::string& v) -> Applied {
         d.body["ForceNewCluster"] = v == "true";
         return {};
       }},
      {{"autolock", 0, false},
       [](SwarmDraft& d, const std::string& v) -> Applied {
         d.body["AutoLockManagers"] = v == "true";
         d.body["Spec"]["EncryptionConfig"]["AutoLockManagers"] = v == "true";
         return {};
       }},
      {{"availability", 0}},
      {{"cert-expiry", 0}},
      {{"data-path-addr", 0}},
      {{"data-path-port", 0}},
      {{"default-addr-pool", 0}},
      {{"default-addr-pool-mask-length", 0}},
      {{"dispatcher-heartbeat", 0}},
      {{"external-ca", 0}},
      {{"listen-addr", 0}},
      {{"max-snapshots", 0}},
      {{"snapshot-interval", 0}},
      {{"task-history-limit", 0}},
      {{"help", 0, false}, nullptr, "it prints docker's usage and sends nothing"},
  };
  return table;
}

TranslatedRequest post(std::vector<std::string> segments, json body) {
  TranslatedRequest out;
  out.request.method = "POST";
  out.request.segments = std::move(segments);
  out.request.body = std::move(body);
  return out;
}

}  // namespace

Translation translate_volume_create(std::span<const std::string> args) {
  const std::string command = "docker volume create";
  VolumeDraft draft;
  auto positionals = apply_flags<VolumeDraft>(volume_flags(), args, true, command, draft);
  if (!positionals) return unexpected(positionals.error());
  if (positionals->size() > 1) {
    return unexpected(CommandLineError{command + ": at most one volume name, got " +
                                       std::to_string(positionals->size()) + " arguments"});
  }
  if (positionals->size() == 1) {
    if (!draft.name.empty()) {
      return unexpected(CommandLineError{
          command + ": conflicting options: cannot specify a volume-name through both --name and as a positional arg"});
    }
    draft.name = positionals->front();
  }
  json body = json::object();
  if (!draft.driver.empty()) body["Driver"] = draft.driver;
  if (!draft.options.empty()) body["DriverOpts"] = draft.options;
  if (!draft.labels.empty()) body["Labels"] = draft.labels;
  if (!draft.name.empty()) body["Name"] = draft.name;
  return post({"volumes", "create"}, std::move(body));
}

Translation translate_network_create(std::span<const std::string> args) {
  const std::string command = "docker network create";
  NetworkDraft draft;
  auto positionals = apply_flags<NetworkDraft>(network_flags(), args, true, command, draft);
  if (!positionals) return unexpected(positionals.error());
  if (positionals->size() != 1) {
    return unexpected(CommandLineError{command + ": expected one network name, got " +
                                       std::to_string(positionals->size()) + " arguments"});
  }
  if (auto ipam = consolidate_ipam(draft); !ipam) return unexpected(CommandLineError{command + ": " + ipam.error()});
  draft.body["Name"] = positionals->front();
  return post({"networks", "create"}, std::move(draft.body));
}

Translation translate_plugin_install(std::span<const std::string> args) {
  const std::string command = "docker plugin install";
  PluginDraft draft;
  auto positionals = apply_flags<PluginDraft>(plugin_flags(), args, false, command, draft);
  if (!positionals) return unexpected(positionals.error());
  if (positionals->empty()) return unexpected(CommandLineError{command + ": a plugin is required"});
  const auto remote = core::image::parse_image_ref(positionals->front());
  if (!remote) {
    return unexpected(CommandLineError{command + ": invalid remote reference: " + remote.error().message});
  }
  const std::string local_text = draft.alias.empty() ? positionals->front() : draft.alias;
  const auto local = core::image::parse_image_ref(local_text);
  if (!local) return unexpected(CommandLineError{command + ": " + local_text + ": " + local.error().message});
  if (local->digest) return unexpected(CommandLineError{command + ": invalid name: " + local_text});
  // The body lists the privileges the plugin asks for, which the CLI learns
  // from the registry first; shown empty here.
  TranslatedRequest out = post({"plugins", "pull"}, json::array());
  out.request.query = {{"name", local->familiar()}, {"remote", remote->to_string()}};
  return out;
}

Translation translate_swarm_init(std::span<const std::string> args) {
  const std::string command = "docker swarm init";
  SwarmDraft draft;
  auto positionals = apply_flags<SwarmDraft>(swarm_flags(), args, true, command, draft);
  if (!positionals) return unexpected(positionals.error());
  if (!positionals->empty()) return unexpected(CommandLineError{command + ": accepts no arguments"});
  return post({"swarm", "init"}, std::move(draft.body));
}

}  // namespace moat::cli::check
