#include "runtime/spec/rewrite.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <optional>

#include "core/policy/working_directory.h"
#include "runtime/spec/capabilities.h"

namespace moat::runtime::spec {
namespace {

using nlohmann::json;

constexpr std::string_view kRule =
    "(Enhanced Container Isolation runs every container in its own namespaces)";

std::string possessive(std::string_view type) { return "the host's " + std::string(type); }

// The docker flag that produces a spec sharing or joining this namespace, for
// the "what to change" part of a refusal.
std::string docker_hint(std::string_view type, bool host) {
  const std::string flag = type == "network" ? "--network" : "--" + std::string(type);
  if (type == "mount" || type == "user" || type == "cgroup") {
    return "give the container its own " + std::string(type) + " namespace";
  }
  return host ? "run it without " + flag + "=host"
              : "run it without " + flag + "=container:<name>";
}

Refusal shares_host(std::string_view type) {
  return Refusal{"moat-runc: container cannot share " + possessive(type) + " namespace " +
                 std::string(kRule) + "; " + docker_hint(type, true)};
}

Refusal joins_path(std::string_view type, const std::string& path, bool host) {
  if (host) {
    return shares_host(type);
  }
  return Refusal{"moat-runc: container cannot join the " + std::string(type) +
                 " namespace at " + path + " " + std::string(kRule) + "; " +
                 docker_hint(type, false)};
}

constexpr std::string_view kWorkingDirectoryRule =
    "(a working directory under /proc/self, /proc/thread-self or /proc/<pid> can reach the "
    "runtime's open files, as in CVE-2024-21626); choose a directory of the container's own "
    "filesystem";

Result<void, Refusal> check_cwd(const json& process) {
  if (!process.is_object() || !process.contains("cwd")) {
    return {};
  }
  if (!process["cwd"].is_string()) {
    return unexpected(Refusal{"moat-runc: process.cwd is not a string"});
  }
  const std::string cwd = process["cwd"].get<std::string>();
  return check_working_directory(cwd, normalize_path(cwd));
}

// Removes capabilities the host cannot grant, from every set.
Result<void, Refusal> filter_capabilities(json& process, std::uint64_t host_caps,
                                          RewriteReport& report) {
  if (!process.is_object() || !process.contains("capabilities")) {
    return {};
  }
  json& caps = process["capabilities"];
  if (!caps.is_object()) {
    return unexpected(Refusal{"moat-runc: process.capabilities is not an object"});
  }
  std::vector<unsigned> dropped_bits;
  std::vector<std::string> dropped_unknown;
  for (auto it = caps.begin(); it != caps.end(); ++it) {
    if (!it.value().is_array()) {
      return unexpected(
          Refusal{"moat-runc: process.capabilities." + it.key() + " is not a list"});
    }
    json kept = json::array();
    for (const json& name : it.value()) {
      if (!name.is_string()) {
        return unexpected(
            Refusal{"moat-runc: process.capabilities." + it.key() + " holds a non-string"});
      }
      const std::string n = name.get<std::string>();
      const auto bit = capability_bit(n);
      if (bit && ((host_caps >> *bit) & 1U) != 0) {
        kept.push_back(n);
        continue;
      }
      if (bit) {
        if (std::find(dropped_bits.begin(), dropped_bits.end(), *bit) == dropped_bits.end()) {
          dropped_bits.push_back(*bit);
        }
      } else if (std::find(dropped_unknown.begin(), dropped_unknown.end(), n) ==
                 dropped_unknown.end()) {
        dropped_unknown.push_back(n);
      }
    }
    it.value() = std::move(kept);
  }
  std::sort(dropped_bits.begin(), dropped_bits.end());
  for (unsigned bit : dropped_bits) {
    report.dropped_capabilities.emplace_back(capability_name(bit).value_or("?"));
  }
  report.dropped_capabilities.insert(report.dropped_capabilities.end(), dropped_unknown.begin(),
                                     dropped_unknown.end());
  return {};
}

struct AllowedDevice {
  char type;
  std::int64_t major;
  std::int64_t minor;
};

// Device nodes that give no reach into host hardware or kernel state: the
// ones runc always creates, the pty master, and FUSE and TUN, which the
// kernel confines to the container's own user and network namespaces.
constexpr std::array kAllowedDevices{
    AllowedDevice{'c', 1, 3},  AllowedDevice{'c', 1, 5},    AllowedDevice{'c', 1, 7},
    AllowedDevice{'c', 1, 8},  AllowedDevice{'c', 1, 9},    AllowedDevice{'c', 5, 0},
    AllowedDevice{'c', 5, 1},  AllowedDevice{'c', 5, 2},    AllowedDevice{'c', 10, 229},
    AllowedDevice{'c', 10, 200}};

Result<void, Refusal> filter_devices(json& linux_section, RewriteReport& report) {
  if (!linux_section.contains("devices")) {
    return {};
  }
  json& devices = linux_section["devices"];
  if (!devices.is_array()) {
    return unexpected(Refusal{"moat-runc: linux.devices is not a list"});
  }
  json kept = json::array();
  for (const json& d : devices) {
    if (!d.is_object() || !d.contains("path") || !d["path"].is_string() ||
        !d.contains("type") || !d["type"].is_string()) {
      return unexpected(Refusal{"moat-runc: a linux.devices entry lacks path or type"});
    }
    const std::string type = d["type"].get<std::string>();
    const auto number = [&](const char* key) -> std::int64_t {
      return d.contains(key) && d[key].is_number_integer() ? d[key].get<std::int64_t>() : -1;
    };
    const std::int64_t major = number("major");
    const std::int64_t minor = number("minor");
    const bool allowed =
        type.size() == 1 && std::any_of(kAllowedDevices.begin(), kAllowedDevices.end(),
                                        [&](const AllowedDevice& a) {
                                          return (type[0] == a.type || (type[0] == 'u' && a.type == 'c')) &&
                                                 major == a.major && minor == a.minor;
                                        });
    if (allowed) {
      kept.push_back(d);
    } else {
      report.dropped_devices.push_back(d["path"].get<std::string>() + " (" + type + " " +
                                       std::to_string(major) + ":" + std::to_string(minor) + ")");
    }
  }
  devices = std::move(kept);
  return {};
}

std::optional<std::uint32_t> parse_u32(std::string_view s) {
  std::uint32_t v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) {
    return std::nullopt;
  }
  return v;
}

// net.ipv4.ping_group_range names gids; inside a user namespace the kernel
// accepts only gids the namespace maps, so "0 2147483647" (the engine's
// "everyone") becomes "0 <last mapped gid>".
void clamp_id_sysctls(json& linux_section, const idmap::IdRange& range, RewriteReport& report) {
  if (!linux_section.contains("sysctl") || !linux_section["sysctl"].is_object()) {
    return;
  }
  json& sysctl = linux_section["sysctl"];
  constexpr std::string_view kKey = "net.ipv4.ping_group_range";
  if (!sysctl.contains(kKey) || !sysctl[kKey].is_string()) {
    return;
  }
  const std::string value = sysctl[kKey].get<std::string>();
  const auto space = value.find_first_of(" \t");
  const auto low = parse_u32(value.substr(0, space));
  const auto last = value.find_last_of(" \t");
  const auto high = space == std::string::npos ? std::nullopt : parse_u32(value.substr(last + 1));
  const std::uint32_t top = range.size - 1;
  if (!low || !high || *low > top) {
    sysctl.erase(std::string(kKey));
    report.notes.push_back("sysctl " + std::string(kKey) + "=\"" + value +
                           "\" removed: it names no gid of the container's range");
    return;
  }
  if (*high > top) {
    const std::string clamped = std::to_string(*low) + " " + std::to_string(top);
    sysctl[std::string(kKey)] = clamped;
    report.notes.push_back("sysctl " + std::string(kKey) + " \"" + value + "\" -> \"" + clamped +
                           "\"");
  }
}

Result<void, Refusal> rewrite_namespaces(json& linux_section, const RewriteInput& input,
                                         RewriteReport& report) {
  if (!linux_section.contains("namespaces")) {
    linux_section["namespaces"] = json::array();
  }
  json& namespaces = linux_section["namespaces"];
  if (!namespaces.is_array()) {
    return unexpected(Refusal{"moat-runc: linux.namespaces is not a list"});
  }
  constexpr std::array<std::string_view, 7> kKnown{"pid",   "network", "ipc", "uts",
                                                   "mount", "cgroup",  "user"};
  json kept = json::array();
  std::vector<std::string> present;
  bool had_user = false;
  for (const json& ns : namespaces) {
    if (!ns.is_object() || !ns.contains("type") || !ns["type"].is_string()) {
      return unexpected(Refusal{"moat-runc: a linux.namespaces entry has no type"});
    }
    const std::string type = ns["type"].get<std::string>();
    if (std::find(kKnown.begin(), kKnown.end(), type) == kKnown.end()) {
      return unexpected(Refusal{"moat-runc: unknown namespace type \"" + type + "\""});
    }
    if (std::find(present.begin(), present.end(), type) != present.end()) {
      return unexpected(Refusal{"moat-runc: namespace type \"" + type + "\" is listed twice"});
    }
    present.push_back(type);
    if (ns.contains("path")) {
      if (!ns["path"].is_string()) {
        return unexpected(Refusal{"moat-runc: the " + type + " namespace path is not a string"});
      }
      const std::string path = ns["path"].get<std::string>();
      if (!path.empty()) {
        const bool host = input.is_host_namespace && input.is_host_namespace(type, path);
        return unexpected(joins_path(type, path, host));
      }
    }
    if (type == "user") {
      had_user = true;
      continue;  // re-added below with our mapping
    }
    kept.push_back(json{{"type", type}});
  }
  for (std::string_view required : {"pid", "network", "ipc", "uts", "mount"}) {
    if (std::find(present.begin(), present.end(), required) == present.end()) {
      return unexpected(shares_host(required));
    }
  }
  if (std::find(present.begin(), present.end(), "cgroup") == present.end()) {
    kept.push_back(json{{"type", "cgroup"}});
    report.notes.push_back("cgroup namespace added");
  }
  kept.push_back(json{{"type", "user"}});
  report.notes.push_back(had_user ? "user namespace mapping replaced by the container's range"
                                  : "user namespace added");
  namespaces = std::move(kept);
  const json mapping = json::array(
      {json{{"containerID", 0}, {"hostID", input.range.host_base}, {"size", input.range.size}}});
  linux_section["uidMappings"] = mapping;
  linux_section["gidMappings"] = mapping;
  return {};
}

}  // namespace

std::string normalize_path(std::string_view path) {
  std::vector<std::string_view> parts;
  std::size_t pos = 0;
  while (pos <= path.size()) {
    std::size_t end = path.find('/', pos);
    if (end == std::string_view::npos) {
      end = path.size();
    }
    const std::string_view part = path.substr(pos, end - pos);
    if (part == "..") {
      if (!parts.empty()) {
        parts.pop_back();
      }
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    pos = end + 1;
  }
  std::string out;
  for (std::string_view p : parts) {
    out += '/';
    out += p;
  }
  return out.empty() ? "/" : out;
}

Result<void, Refusal> check_working_directory(const std::string& requested,
                                              const std::string& resolved) {
  if (core::policy::is_process_directory_path(requested)) {
    return unexpected(Refusal{"moat-runc: container working directory " + requested +
                              " is refused " + std::string(kWorkingDirectoryRule)});
  }
  if (!core::policy::is_process_directory_path(resolved)) {
    return {};
  }
  return unexpected(Refusal{"moat-runc: container working directory " + requested +
                            " resolves to " + resolved + ", which is refused " +
                            std::string(kWorkingDirectoryRule)});
}

Result<RewriteOutput, Refusal> rewrite_config(const json& config, const RewriteInput& input) {
  if (!config.is_object()) {
    return unexpected(Refusal{"moat-runc: config.json is not a JSON object"});
  }
  if (input.range.size == 0) {
    return unexpected(Refusal{"moat-runc: no id range was allocated for the container"});
  }
  RewriteOutput out{config, {}};
  json& c = out.config;
  if (!c.contains("linux") || !c["linux"].is_object()) {
    return unexpected(Refusal{"moat-runc: config.json has no linux section"});
  }
  json& linux_section = c["linux"];
  if (auto r = rewrite_namespaces(linux_section, input, out.report); !r) {
    return unexpected(r.error());
  }
  if (c.contains("process")) {
    if (auto r = check_cwd(c["process"]); !r) {
      return unexpected(r.error());
    }
    if (auto r = filter_capabilities(c["process"], input.host_capabilities, out.report); !r) {
      return unexpected(r.error());
    }
  }
  if (auto r = filter_devices(linux_section, out.report); !r) {
    return unexpected(r.error());
  }
  clamp_id_sysctls(linux_section, input.range, out.report);
  return out;
}

Result<RewriteOutput, Refusal> rewrite_process(const json& process,
                                               std::uint64_t host_capabilities) {
  if (!process.is_object()) {
    return unexpected(Refusal{"moat-runc: process.json is not a JSON object"});
  }
  RewriteOutput out{process, {}};
  if (auto r = check_cwd(out.config); !r) {
    return unexpected(r.error());
  }
  if (auto r = filter_capabilities(out.config, host_capabilities, out.report); !r) {
    return unexpected(r.error());
  }
  return out;
}

}  // namespace moat::runtime::spec
