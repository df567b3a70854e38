#include "cli/check/docker_options.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <fstream>
#include <sstream>

#include "core/json/strict_json.h"

namespace moat::cli::check {
namespace {

using nlohmann::json;

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

std::string trim(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return std::string(text);
}

std::vector<std::string> split(std::string_view text, char separator) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = text.find(separator, start);
    if (end == std::string_view::npos) {
      out.emplace_back(text.substr(start));
      return out;
    }
    out.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
}

// r, w and m, each at most once.
bool valid_device_mode(std::string_view mode) {
  if (mode.empty()) return false;
  std::string seen;
  for (const char c : mode) {
    if ((c != 'r' && c != 'w' && c != 'm') || seen.find(c) != std::string::npos) return false;
    seen += c;
  }
  return true;
}

bool all_digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// nat.ParsePortRange: "80" or "8000-8010".
Result<std::pair<std::uint16_t, std::uint16_t>, std::string> port_range(const std::string& ports) {
  if (ports.empty()) return unexpected(std::string("empty string specified for ports"));
  if (ports.find('-') == std::string::npos) {
    const auto port = parse_port_number(ports);
    if (!port) return unexpected("strconv.ParseUint: parsing \"" + ports + "\": invalid syntax");
    return std::pair{*port, *port};
  }
  const auto parts = split(ports, '-');
  const auto start = parse_port_number(parts[0]);
  if (!start) return unexpected("strconv.ParseUint: parsing \"" + parts[0] + "\": invalid syntax");
  const auto end = parse_port_number(parts[1]);
  if (!end) return unexpected("strconv.ParseUint: parsing \"" + parts[1] + "\": invalid syntax");
  if (*end < *start) return unexpected("invalid range specified for port: " + ports);
  return std::pair{*start, *end};
}

// nat.SplitProtoPort: {proto, port}.
std::pair<std::string, std::string> split_proto_port(const std::string& raw) {
  const auto parts = split(raw, '/');
  if (raw.empty() || parts[0].empty()) return {"", ""};
  if (parts.size() == 1) return {"tcp", raw};
  if (parts[1].empty()) return {"tcp", parts[0]};
  return {parts[1], parts[0]};
}

bool valid_proto(const std::string& proto) { return proto == "tcp" || proto == "udp" || proto == "sctp"; }

// docker's publish long form "published=8080,target=80" in short form.
Result<std::string, std::string> standard_publish_notation(const std::string& value) {
  if (value.find('=') == std::string::npos) return value;
  std::string published;
  std::string target;
  std::string protocol = "tcp";
  for (const auto& param : split(value, ',')) {
    const Cut kv = cut(param, '=');
    if (!kv.found || kv.before.empty()) {
      return unexpected("invalid publish opts format (should be name=value but got '" + param + "')");
    }
    if (kv.before == "published") published = kv.after;
    if (kv.before == "target") target = kv.after;
    if (kv.before == "protocol") protocol = kv.after;
  }
  return published + ":" + target + "/" + protocol;
}

// go-connections' cdi parser, enough to tell names from paths:
// vendor/class=name with the characters each part allows.
bool cdi_part(std::string_view part, std::string_view extra) {
  if (part.empty() || !std::isalnum(static_cast<unsigned char>(part.front())) ||
      !std::isalnum(static_cast<unsigned char>(part.back()))) {
    return false;
  }
  return std::all_of(part.begin(), part.end(), [extra](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || extra.find(c) != std::string_view::npos;
  });
}

}  // namespace

ValueResult validate_env(const std::string& value, const HostEnvironment& host) {
  const Cut kv = cut(value, '=');
  if (kv.before.empty()) return unexpected("invalid environment variable: " + value);
  if (kv.found) return value;
  const auto it = host.variables.find(kv.before);
  if (it != host.variables.end()) return kv.before + "=" + it->second;
  return value;
}

ValueResult validate_label(const std::string& value) {
  const std::string key = trim(cut(value, '=').before);
  if (key.empty()) return unexpected("invalid label '" + value + "': empty name");
  if (std::any_of(key.begin(), key.end(), is_space)) {
    return unexpected("label '" + key + "' contains whitespaces");
  }
  return value;
}

ValueResult validate_extra_host(const std::string& value) {
  Cut kv = cut(value, '=');
  if (!kv.found) kv = cut(value, ':');
  if (!kv.found || kv.before.empty() || kv.before.find(':') != std::string::npos) {
    return unexpected("bad format for add-host: \"" + value + "\"");
  }
  std::string address = kv.after;
  if (address != "host-gateway") {
    if (address.size() > 2 && address.front() == '[' && address.back() == ']') {
      address = address.substr(1, address.size() - 2);
    }
    if (!canonical_ip(trim(address))) {
      return unexpected("invalid IP address in add-host: \"" + address + "\"");
    }
  }
  return kv.before + ":" + address;
}

ValueResult validate_dns(const std::string& value) {
  const auto ip = canonical_ip(trim(value));
  if (!ip) return unexpected("IP address is not correctly formatted: " + value);
  return *ip;
}

ValueResult validate_sysctl(const std::string& value) {
  static constexpr std::array<std::string_view, 8> kIpcSysctls = {
      "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
      "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced"};
  const Cut kv = cut(value, '=');
  const std::string refused = "sysctl '" + value + "' is not allowed";
  if (!kv.found || kv.before.empty()) return unexpected(refused);
  if (std::find(kIpcSysctls.begin(), kIpcSysctls.end(), kv.before) != kIpcSysctls.end()) return value;
  if (kv.before.starts_with("net.") || kv.before.starts_with("fs.mqueue.")) return value;
  return unexpected(refused);
}

ValueResult validate_device_cgroup_rule(const std::string& value) {
  // ^[acb] ([0-9]+|\*):([0-9]+|\*) [rwm]{1,3}$
  const std::string refused = "invalid device cgroup format '" + value + "'";
  const auto fields = split(value, ' ');
  if (fields.size() != 3 || fields[0].size() != 1 ||
      std::string_view("acb").find(fields[0][0]) == std::string_view::npos) {
    return unexpected(refused);
  }
  const Cut numbers = cut(fields[1], ':');
  const auto number_ok = [](const std::string& n) { return n == "*" || all_digits(n); };
  if (!numbers.found || !number_ok(numbers.before) || !number_ok(numbers.after)) return unexpected(refused);
  const std::string& mode = fields[2];
  if (mode.empty() || mode.size() > 3 ||
      !std::all_of(mode.begin(), mode.end(), [](char c) { return c == 'r' || c == 'w' || c == 'm'; })) {
    return unexpected(refused);
  }
  return value;
}

ValueResult validate_security_opt(const std::string& value, const HostEnvironment& host) {
  Cut kv = cut(value, '=');
  if (!kv.found && kv.before != "no-new-privileges") kv = cut(value, ':');
  if ((!kv.found || kv.after.empty()) && kv.before != "no-new-privileges") {
    return unexpected("invalid --security-opt: \"" + value + "\"");
  }
  if (kv.before != "seccomp" || kv.after == "builtin" || kv.after == "unconfined") return value;
  // A profile file: the CLI reads it and sends its JSON inline. Keys come
  // out sorted here, where Go keeps the file's order; the policy refuses any
  // custom profile, whatever its text.
  const std::string path = absolute_path(host.working_directory, kv.after);
  std::ifstream in(path);
  if (!in) return unexpected("opening seccomp profile (" + kv.after + ") failed: cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  const auto parsed = core::json::parse_strict(text.str());
  if (!parsed) {
    return unexpected("compacting json for seccomp profile (" + kv.after + ") failed: " + parsed.error().message);
  }
  return "seccomp=" + go_json_marshal(parsed->value);
}

std::string normalize_capability(const std::string& value) {
  std::string upper = to_upper(value);
  if (upper == "ALL" || upper.starts_with("CAP_")) return upper;
  return "CAP_" + upper;
}

JsonResult parse_device(const std::string& value) {
  // validateLinuxPath: [host-path:]container-path[:mode], cleaned.
  const std::string bad_format = "bad format for path: " + value;
  if (std::count(value.begin(), value.end(), ':') > 2) return unexpected(bad_format);
  const auto parts = split(value, ':');
  if (parts[0].empty()) return unexpected(bad_format);
  std::string validated;
  std::string container_path;
  if (parts.size() == 1) {
    container_path = parts[0];
    validated = clean_path(container_path);
  } else if (parts.size() == 2) {
    if (valid_device_mode(parts[1])) {
      container_path = parts[0];
      validated = clean_path(container_path) + ":" + parts[1];
    } else {
      container_path = parts[1];
      validated = parts[0] + ":" + clean_path(container_path);
    }
  } else {
    container_path = parts[1];
    if (!valid_device_mode(parts[2])) return unexpected("bad mode specified: " + parts[2]);
    validated = value;
  }
  if (container_path.empty() || container_path[0] != '/') {
    return unexpected(container_path + " is not an absolute path");
  }
  // parseLinuxDevice on the validated text.
  const auto fields = split(validated, ':');
  std::string source = fields[0];
  std::string destination;
  std::string permissions = "rwm";
  if (fields.size() == 3) permissions = fields[2];
  if (fields.size() >= 2) {
    if (valid_device_mode(fields[1])) {
      permissions = fields[1];
    } else {
      destination = fields[1];
    }
  }
  if (destination.empty()) destination = source;
  return json{{"PathOnHost", source}, {"PathInContainer", destination}, {"CgroupPermissions", permissions}};
}

bool is_cdi_device_name(std::string_view value) {
  const std::size_t slash = value.find('/');
  const std::size_t equals = value.find('=');
  if (slash == std::string_view::npos || equals == std::string_view::npos || equals < slash) return false;
  return cdi_part(value.substr(0, slash), "._-") && cdi_part(value.substr(slash + 1, equals - slash - 1), "_-") &&
         cdi_part(value.substr(equals + 1), "_.:-");
}

JsonResult parse_gpus(const std::string& value) {
  const auto fields = read_csv_record(value);
  if (!fields) return unexpected(fields.error());
  json request = {
      {"Driver", ""}, {"Count", 0}, {"DeviceIDs", nullptr}, {"Capabilities", nullptr}, {"Options", nullptr}};
  std::vector<std::string> seen;
  const auto parse_count = [](const std::string& text) -> Result<std::int64_t, std::string> {
    if (text == "all") return std::int64_t{-1};
    const auto n = parse_decimal_int(text);
    if (!n) return unexpected("count must be an integer: strconv.Atoi: parsing \"" + text + "\": invalid syntax");
    return *n;
  };
  for (const auto& field : *fields) {
    const Cut kv = cut(field, '=');
    if (std::find(seen.begin(), seen.end(), kv.before) != seen.end()) {
      return unexpected("gpu request key '" + kv.before + "' can be specified only once");
    }
    seen.push_back(kv.before);
    if (!kv.found) {
      seen.emplace_back("count");
      const auto count = parse_count(kv.before);
      if (!count) return unexpected(count.error());
      request["Count"] = *count;
      continue;
    }
    if (kv.before == "driver") {
      request["Driver"] = kv.after;
    } else if (kv.before == "count") {
      const auto count = parse_count(kv.after);
      if (!count) return unexpected(count.error());
      request["Count"] = *count;
    } else if (kv.before == "device") {
      request["DeviceIDs"] = split(kv.after, ',');
    } else if (kv.before == "capabilities") {
      auto capabilities = split(kv.after, ',');
      capabilities.emplace_back("gpu");
      request["Capabilities"] = json::array({capabilities});
    } else if (kv.before == "options") {
      const auto options = read_csv_record(kv.after);
      if (!options) return unexpected("failed to read gpu options: " + options.error());
      json map = json::object();
      for (const auto& option : *options) {
        const Cut o = cut(option, '=');
        map[o.before] = o.after;
      }
      request["Options"] = map;
    } else {
      return unexpected("unexpected key '" + kv.before + "' in '" + field + "'");
    }
  }
  if (std::find(seen.begin(), seen.end(), "count") == seen.end() && request["DeviceIDs"].is_null()) {
    request["Count"] = 1;
  }
  if (request["Options"].is_null()) request["Options"] = json::object();
  if (request["Capabilities"].is_null()) request["Capabilities"] = json::array({json::array({"gpu"})});
  return request;
}

JsonResult parse_mount(const std::string& value, const HostEnvironment& host) {
  const auto fields = read_csv_record(value);
  if (!fields) return unexpected(fields.error());
  json mount = {{"Type", "volume"}};
  const auto volume_options = [&mount]() -> json& {
    if (!mount.contains("VolumeOptions")) mount["VolumeOptions"] = json::object();
    if (!mount["VolumeOptions"].contains("DriverConfig")) mount["VolumeOptions"]["DriverConfig"] = json::object();
    return mount["VolumeOptions"];
  };
  const auto bind_options = [&mount]() -> json& {
    if (!mount.contains("BindOptions")) mount["BindOptions"] = json::object();
    return mount["BindOptions"];
  };
  const auto tmpfs_options = [&mount]() -> json& {
    if (!mount.contains("TmpfsOptions")) mount["TmpfsOptions"] = json::object();
    return mount["TmpfsOptions"];
  };
  const auto set_bool = [](json& target, const char* field, const std::string& key,
                           const std::string& text) -> Result<void, std::string> {
    const auto b = parse_go_bool(text);
    if (!b) return unexpected("invalid value for " + key + ": " + text);
    // Go leaves false out (omitempty).
    if (*b) {
      target[field] = true;
    } else {
      target.erase(field);
    }
    return {};
  };
  for (const auto& field : *fields) {
    const Cut kv = cut(field, '=');
    const std::string key = to_lower(kv.before);
    if (!kv.found) {
      if (key == "readonly" || key == "ro") {
        mount["ReadOnly"] = true;
      } else if (key == "volume-nocopy") {
        volume_options()["NoCopy"] = true;
      } else if (key == "bind-nonrecursive") {
        bind_options()["NonRecursive"] = true;
      } else {
        return unexpected("invalid field '" + field + "' must be a key=value pair");
      }
      continue;
    }
    const std::string& val = kv.after;
    if (key == "type") {
      mount["Type"] = to_lower(val);
    } else if (key == "source" || key == "src") {
      const bool relative = (val.starts_with("./") || val == ".") && !host.working_directory.empty();
      mount["Source"] = relative ? absolute_path(host.working_directory, val) : val;
    } else if (key == "target" || key == "dst" || key == "destination") {
      mount["Target"] = val;
    } else if (key == "readonly" || key == "ro") {
      if (auto r = set_bool(mount, "ReadOnly", key, val); !r) return unexpected(r.error());
    } else if (key == "consistency") {
      mount["Consistency"] = to_lower(val);
    } else if (key == "bind-propagation") {
      bind_options()["Propagation"] = to_lower(val);
    } else if (key == "bind-nonrecursive") {
      if (auto r = set_bool(bind_options(), "NonRecursive", key, val); !r) return unexpected(r.error());
    } else if (key == "volume-nocopy") {
      if (auto r = set_bool(volume_options(), "NoCopy", "volume-nocopy", val); !r) return unexpected(r.error());
    } else if (key == "volume-label") {
      const Cut label = cut(val, '=');
      json& options = volume_options();
      if (!label.before.empty()) options["Labels"][label.before] = label.after;
    } else if (key == "volume-driver") {
      volume_options()["DriverConfig"]["Name"] = val;
    } else if (key == "volume-opt") {
      const Cut option = cut(val, '=');
      json& driver = volume_options()["DriverConfig"];
      if (!option.before.empty()) driver["Options"][option.before] = option.after;
    } else if (key == "tmpfs-size") {
      const auto size = ram_in_bytes(val);
      if (!size) return unexpected("invalid value for " + key + ": " + val);
      tmpfs_options()["SizeBytes"] = *size;
    } else if (key == "tmpfs-mode") {
      // strconv.ParseUint(val, 8, 32)
      std::uint64_t mode = 0;
      if (val.empty() || val.size() > 11 ||
          !std::all_of(val.begin(), val.end(), [](char c) { return c >= '0' && c <= '7'; })) {
        return unexpected("invalid value for " + key + ": " + val);
      }
      for (const char c : val) mode = mode * 8 + static_cast<std::uint64_t>(c - '0');
      if (mode > 0xFFFFFFFFULL) return unexpected("invalid value for " + key + ": " + val);
      tmpfs_options()["Mode"] = mode;
    } else if (key == "bind-recursive" || key == "bind-create-mountpoint" || key == "volume-subpath" ||
               key == "image-subpath" || key == "tmpfs-options") {
      return unexpected("the mount option '" + key + "' is not supported by moatctl check");
    } else {
      return unexpected("unexpected key '" + key + "' in '" + field + "'");
    }
  }
  // Go's omitempty: zero-valued members do not appear.
  for (const char* member : {"SizeBytes", "Mode"}) {
    if (mount.contains("TmpfsOptions") && mount["TmpfsOptions"].contains(member) &&
        mount["TmpfsOptions"][member] == 0) {
      mount["TmpfsOptions"].erase(member);
    }
  }
  for (const char* member : {"Type", "Source", "Consistency"}) {
    if (mount.contains(member) && mount[member] == "") mount.erase(member);
  }
  if (mount.contains("BindOptions") && mount["BindOptions"].value("Propagation", "x").empty()) {
    mount["BindOptions"].erase("Propagation");
  }
  if (mount.contains("VolumeOptions") && mount["VolumeOptions"]["DriverConfig"].value("Name", "x").empty()) {
    mount["VolumeOptions"]["DriverConfig"].erase("Name");
  }
  const std::string type = mount.value("Type", "");
  if (type.empty()) return unexpected(std::string("type is required"));
  if (mount.value("Target", "").empty()) return unexpected(std::string("target is required"));
  if (mount.contains("VolumeOptions") && type != "volume") {
    return unexpected("cannot mix 'volume-*' options with mount type '" + type + "'");
  }
  if (mount.contains("BindOptions") && type != "bind") {
    return unexpected("cannot mix 'bind-*' options with mount type '" + type + "'");
  }
  if (mount.contains("TmpfsOptions") && type != "tmpfs") {
    return unexpected("cannot mix 'tmpfs-*' options with mount type '" + type + "'");
  }
  return mount;
}

JsonResult parse_restart_policy(const std::string& value) {
  if (value.empty()) return json{{"Name", ""}, {"MaximumRetryCount", 0}};
  const Cut kv = cut(value, ':');
  if (kv.found && kv.before.empty()) {
    return unexpected(std::string("invalid restart policy format: no policy provided before colon"));
  }
  std::int64_t count = 0;
  if (!kv.after.empty()) {
    const auto n = parse_decimal_int(kv.after);
    if (!n) return unexpected(std::string("invalid restart policy format: maximum retry count must be an integer"));
    count = *n;
  }
  return json{{"Name", kv.before}, {"MaximumRetryCount", count}};
}

Result<VolumeSpec, std::string> parse_volume_spec(const std::string& value) {
  if (value.empty()) return unexpected(std::string("invalid empty volume spec"));
  VolumeSpec spec;
  if (value.size() <= 2) {
    spec.target = value;
    return spec;
  }
  std::string buffer;
  const auto populate = [&spec, &value](bool at_end, const std::string& text) -> Result<void, std::string> {
    const std::string prefix = "invalid spec: " + value + ": ";
    if (text.empty()) return unexpected(prefix + "empty section between colons");
    if (spec.source.empty() && at_end) {
      spec.target = text;
    } else if (spec.source.empty()) {
      spec.source = text;
    } else if (spec.target.empty()) {
      spec.target = text;
    } else if (!at_end) {
      return unexpected(prefix + "too many colons");
    }
    // A third part holds options (ro, rw, nocopy, propagation...); compose
    // ignores those it does not know, and so does this reading.
    return {};
  };
  for (std::size_t i = 0; i <= value.size(); ++i) {
    const bool at_end = i == value.size();
    const char c = at_end ? '\0' : value[i];
    if (!at_end && c == ':' && buffer.size() == 1 && std::isalpha(static_cast<unsigned char>(buffer[0]))) {
      buffer += c;  // a Windows drive letter ("c:"), kept whole as compose does
    } else if (at_end || c == ':') {
      if (auto r = populate(at_end, buffer); !r) return unexpected(r.error());
      buffer.clear();
    } else {
      buffer += c;
    }
  }
  return spec;
}

std::string bind_as_sent(const std::string& value, const HostEnvironment& host) {
  // The CLI makes a relative host path absolute only when it starts with ".".
  const Cut parts = cut(value, ':');
  if (!parts.found || parts.before.empty() || parts.before[0] != '.' || host.working_directory.empty()) return value;
  return absolute_path(host.working_directory, parts.before) + ":" + parts.after;
}

Result<std::vector<PortMapping>, std::string> parse_publish(const std::string& value) {
  const auto standard = standard_publish_notation(value);
  if (!standard) return unexpected(standard.error());
  const std::string& raw = *standard;
  // splitParts: [ip:][host:]container, the ip may hold colons.
  const auto parts = split(raw, ':');
  const std::size_t n = parts.size();
  std::string ip;
  std::string host_port;
  std::string container_port = parts[n - 1];
  if (n == 2) host_port = parts[0];
  if (n >= 3) {
    host_port = parts[n - 2];
    for (std::size_t i = 0; i + 2 < n; ++i) ip += (i == 0 ? "" : ":") + parts[i];
  }
  auto [proto, port] = split_proto_port(container_port);
  container_port = port;
  if (!ip.empty() && ip[0] == '[') {
    if (ip.back() != ']') return unexpected("invalid IP address " + ip + ": missing ']' in address " + ip + ":");
    ip = ip.substr(1, ip.size() - 2);
  }
  if (!ip.empty() && !canonical_ip(ip)) return unexpected("invalid IP address: " + ip);
  if (container_port.empty()) return unexpected("no port specified: " + raw + "<empty>");
  const auto container_range = port_range(container_port);
  if (!container_range) return unexpected("invalid containerPort: " + container_port);
  std::pair<std::uint16_t, std::uint16_t> host_range{0, 0};
  if (!host_port.empty()) {
    const auto parsed = port_range(host_port);
    if (!parsed) return unexpected("invalid hostPort: " + host_port);
    host_range = *parsed;
  }
  const auto [start, end] = *container_range;
  const auto [host_start, host_end] = host_range;
  if (!host_port.empty() && (end - start) != (host_end - host_start) && end != start) {
    return unexpected("invalid ranges specified for container and host Ports: " + container_port + " and " + host_port);
  }
  if (!valid_proto(to_lower(proto))) return unexpected("invalid proto: " + proto);
  std::vector<PortMapping> out;
  for (unsigned i = 0; i <= static_cast<unsigned>(end - start); ++i) {
    std::string bound_port = host_port;
    if (!host_port.empty()) bound_port = std::to_string(host_start + i);
    if (start == end && host_start != host_end) bound_port += "-" + std::to_string(host_end);
    out.push_back({std::to_string(start + i) + "/" + to_lower(proto), json{{"HostIp", ip}, {"HostPort", bound_port}}});
  }
  return out;
}

Result<std::vector<std::string>, std::string> parse_expose(const std::string& value) {
  if (value.find(':') != std::string::npos) return unexpected("invalid port format for --expose: " + value);
  const auto [proto, port] = split_proto_port(value);
  const auto range = port_range(port);
  if (!range) return unexpected("invalid range format for --expose: " + value + ", error: " + range.error());
  std::vector<std::string> out;
  for (unsigned p = range->first; p <= range->second; ++p) out.push_back(std::to_string(p) + "/" + proto);
  return out;
}

}  // namespace moat::cli::check
