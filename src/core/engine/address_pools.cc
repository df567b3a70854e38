#include "core/engine/address_pools.h"

#include <array>
#include <string>

#include "core/json/strict_json.h"

namespace moat::core::engine {
namespace {

// dockerd 20.10's local-scope pools when "default-address-pools" is unset
// (libnetwork ipamutils): 172.17.0.0 to 172.31.255.255 and 192.168.0.0/16.
constexpr std::array<const char*, 7> kBuiltinPools = {
    "172.17.0.0/16",  "172.18.0.0/16",  "172.19.0.0/16", "172.20.0.0/14",
    "172.24.0.0/14", "172.28.0.0/14", "192.168.0.0/16"};

}  // namespace

Result<std::vector<net::IpPrefix>> address_pools(const settings::EffectiveSettings& settings) {
  const auto& text = settings.value("linuxVM.dockerDaemonOptions");
  const auto unreadable = fail("linuxVM.dockerDaemonOptions is not a JSON object");
  if (!text.is_string()) return unreadable;
  const auto options = core::json::parse_strict(text.get_ref<const std::string&>());
  if (!options || !options->value.is_object()) return unreadable;
  std::vector<net::IpPrefix> pools;
  const auto configured = options->value.find("default-address-pools");
  if (configured == options->value.end()) {
    for (const char* base : kBuiltinPools) pools.push_back(*net::IpPrefix::parse(base, false));
    return pools;
  }
  const auto malformed = fail(
      "default-address-pools in linuxVM.dockerDaemonOptions is not a list of {\"base\": "
      "\"10.10.0.0/16\", \"size\": 24}");
  if (!configured->is_array()) return malformed;
  for (const auto& pool : *configured) {
    if (!pool.is_object() || !pool.contains("base") || !pool["base"].is_string()) return malformed;
    auto base = net::IpPrefix::parse(pool["base"].get<std::string>(), false);
    if (!base) return malformed;
    pools.push_back(*base);
  }
  return pools;
}

}  // namespace moat::core::engine
