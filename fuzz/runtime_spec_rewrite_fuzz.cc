// Rewrites arbitrary OCI specs the way moat-runc does before handing them to
// runc (rewrite_config for create, rewrite_process for exec) and checks the
// promises of Enhanced Container Isolation on every spec it lets through:
// - no exception, and every refusal starts with "moat-runc: " and says more;
// - the container has its own pid, network, ipc, uts, mount, cgroup and user
//   namespaces, each once and none joined by path;
// - uids and gids map exactly onto the container's range;
// - no capability the host lacks, no device outside the harmless list;
// - no working directory under /proc/self, /proc/thread-self or /proc/<pid>;
// - the ping group range names gids of the range only;
// - rewriting its own output changes nothing (the engine may hand moat-runc
//   a spec that went through it before, as `docker start` of a created
//   container does).
//
// Input: byte 0 picks create (even) or exec (odd), bytes 1-8 are the host's
// capability bounding set (little endian), the rest is the JSON document.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/policy/working_directory.h"
#include "runtime/spec/capabilities.h"
#include "runtime/spec/rewrite.h"

namespace {

using nlohmann::json;
namespace spec = moat::runtime::spec;

constexpr moat::runtime::idmap::IdRange kRange{165536, 65536};

void check_refusal(const spec::Refusal& refusal) {
  constexpr std::string_view kPrefix = "moat-runc: ";
  if (!refusal.message.starts_with(kPrefix) || refusal.message.size() <= kPrefix.size()) __builtin_trap();
}

void check_capabilities(const json& process, std::uint64_t host_caps) {
  if (!process.is_object() || !process.contains("capabilities")) return;
  for (const auto& [set, names] : process["capabilities"].items()) {
    for (const json& name : names) {
      const auto bit = spec::capability_bit(name.get<std::string>());
      if (!bit || ((host_caps >> *bit) & 1U) == 0) __builtin_trap();
    }
  }
}

void check_working_directory(const json& process) {
  if (!process.is_object() || !process.contains("cwd")) return;
  const std::string cwd = process["cwd"].get<std::string>();
  if (moat::core::policy::is_process_directory_path(cwd)) __builtin_trap();
  if (moat::core::policy::is_process_directory_path(spec::normalize_path(cwd))) __builtin_trap();
}

bool harmless_device(const json& device) {
  static constexpr std::array<std::array<std::int64_t, 2>, 10> kHarmless{
      {{1, 3}, {1, 5}, {1, 7}, {1, 8}, {1, 9}, {5, 0}, {5, 1}, {5, 2}, {10, 229}, {10, 200}}};
  const std::string type = device["type"].get<std::string>();
  if (type != "c" && type != "u") return false;
  if (!device.contains("major") || !device.contains("minor")) return false;
  if (!device["major"].is_number_integer() || !device["minor"].is_number_integer()) return false;
  const std::array<std::int64_t, 2> number{device["major"].get<std::int64_t>(), device["minor"].get<std::int64_t>()};
  return std::find(kHarmless.begin(), kHarmless.end(), number) != kHarmless.end();
}

void check_linux_section(const json& linux_section) {
  std::array<std::string_view, 7> wanted{"pid", "network", "ipc", "uts", "mount", "cgroup", "user"};
  const json& namespaces = linux_section.at("namespaces");
  if (namespaces.size() != wanted.size()) __builtin_trap();
  for (const json& ns : namespaces) {
    if (ns.contains("path") && !ns["path"].get<std::string>().empty()) __builtin_trap();
    const auto found = std::find(wanted.begin(), wanted.end(), ns.at("type").get<std::string>());
    if (found == wanted.end()) __builtin_trap();
    *found = "";  // each type once
  }
  const json mapping = json::array({{{"containerID", 0}, {"hostID", kRange.host_base}, {"size", kRange.size}}});
  if (linux_section.at("uidMappings") != mapping || linux_section.at("gidMappings") != mapping) __builtin_trap();
  if (linux_section.contains("devices")) {
    for (const json& device : linux_section["devices"]) {
      if (!harmless_device(device)) __builtin_trap();
    }
  }
  if (linux_section.contains("sysctl") && linux_section["sysctl"].is_object() &&
      linux_section["sysctl"].contains("net.ipv4.ping_group_range")) {
    const json& range = linux_section["sysctl"]["net.ipv4.ping_group_range"];
    if (range.is_string()) {
      // Both ends are numbers (a value that is not was removed), the last
      // at most the range's last gid.
      const std::string text = range.get<std::string>();
      const auto last = text.find_last_of(" \t");
      if (last == std::string::npos) __builtin_trap();
      const std::string high = text.substr(last + 1);
      if (high.empty() || high.size() > 5 || std::stoul(high) > kRange.size - 1) __builtin_trap();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 9) return 0;
  const bool exec = (data[0] & 1U) != 0;
  std::uint64_t host_caps = 0;
  for (int i = 8; i >= 1; --i) host_caps = (host_caps << 8) | data[i];
  const json document = json::parse(data + 9, data + size, nullptr, false);
  if (document.is_discarded()) return 0;

  if (exec) {
    const auto rewritten = spec::rewrite_process(document, host_caps);
    if (!rewritten) {
      check_refusal(rewritten.error());
      return 0;
    }
    check_capabilities(rewritten->config, host_caps);
    check_working_directory(rewritten->config);
    const auto again = spec::rewrite_process(rewritten->config, host_caps);
    if (!again || again->config != rewritten->config || !again->report.dropped_capabilities.empty()) __builtin_trap();
    return 0;
  }

  const spec::RewriteInput input{kRange, host_caps, [](std::string_view, const std::string& path) {
                                   return path.starts_with("/proc/1/");
                                 }};
  const auto rewritten = spec::rewrite_config(document, input);
  if (!rewritten) {
    check_refusal(rewritten.error());
    return 0;
  }
  const json& config = rewritten->config;
  check_linux_section(config.at("linux"));
  if (config.contains("process")) {
    check_capabilities(config["process"], host_caps);
    check_working_directory(config["process"]);
  }
  (void)config.dump();  // what moat-runc writes for runc: must not throw

  const auto again = spec::rewrite_config(config, input);
  if (!again || again->config != config || !again->report.dropped_capabilities.empty() ||
      !again->report.dropped_devices.empty()) {
    __builtin_trap();
  }
  return 0;
}
