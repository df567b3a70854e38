#include "core/policy/network_addresses.h"

#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "core/engine/address_pools.h"

namespace moat::core::policy {
namespace {

constexpr const char* kRule = "network.subnet";
constexpr const char* kPoolsSetting = "linuxVM.dockerDaemonOptions";

// One address or range the request names, and how a developer wrote it:
// "subnet 10.1.0.0/16", "auxiliary address host1 10.1.0.5".
struct Requested {
  std::string what;
  IpPrefix prefix;
};

// `what`: as in Requested.
Decision refuse(const std::string& what, const std::string& why, const std::string& setting = "",
                const std::string& remedy = "") {
  return Decision::deny(kRule, setting, "network " + what + " is not allowed: " + why, remedy);
}

Result<std::vector<Requested>, Decision> requested_addresses(const Fields& ipam) {
  std::vector<Requested> out;
  const auto config = ipam.array("Config");
  if (!config) return unexpected(config.error());
  if (*config == nullptr) return out;
  const auto add = [&out](const std::string& label, const std::string& text,
                          bool bare_address) -> std::optional<Decision> {
    if (text.empty()) return std::nullopt;
    auto prefix = IpPrefix::parse(text, bare_address);
    if (!prefix) return refuse(label, prefix.error().message);
    out.push_back({label + " " + prefix->to_string(), *prefix});
    return std::nullopt;
  };
  for (std::size_t i = 0; i < (*config)->size(); ++i) {
    const auto entry = element_object(**config, i, ipam.pointer("Config"));
    if (!entry) return unexpected(entry.error());
    for (const auto& [key, label, bare] : {std::tuple{"Subnet", "subnet", false},
                                          std::tuple{"IPRange", "IP range", false},
                                          std::tuple{"Gateway", "gateway", true}}) {
      const auto text = entry->string(key);
      if (!text) return unexpected(text.error());
      if (auto refused = add(label, *text, bare)) return unexpected(*refused);
    }
    const auto auxiliary = entry->string_map("AuxiliaryAddresses");
    if (!auxiliary) return unexpected(auxiliary.error());
    for (const auto& [name, text] : *auxiliary) {
      if (auto refused = add("auxiliary address " + name, text, true)) return unexpected(*refused);
    }
  }
  return out;
}

std::string listed(const std::vector<IpPrefix>& prefixes) {
  std::string out;
  for (const auto& prefix : prefixes) out += (out.empty() ? "" : ", ") + prefix.to_string();
  return out;
}

}  // namespace

Decision judge_network_addresses(const Fields& ipam, const PolicyContext& context) {
  const auto requested = requested_addresses(ipam);
  if (!requested) return requested.error();
  if (requested->empty()) return Decision::allow(kRule);

  const auto pools = engine::address_pools(context.settings);
  if (!pools) {
    return refuse(requested->front().what, "Moat cannot tell the engine's address pools: " +
                                          pools.error().message,
                  kPoolsSetting, "An admin can correct linuxVM.dockerDaemonOptions in admin-settings.json.");
  }
  std::vector<IpPrefix> allowed = *pools;
  allowed.push_back(*IpPrefix::parse("fd00::/8", false));
  for (const auto& one : *requested) {
    bool inside = false;
    for (const auto& pool : allowed) inside = inside || pool.contains(one.prefix);
    if (!inside) {
      return refuse(one.what,
                    "it is outside the engine's address pools (" + listed(allowed) +
                        "), where a network created without --subnet gets its addresses",
                    kPoolsSetting,
                    "An admin can add a pool that contains it to \"default-address-pools\" in "
                    "linuxVM.dockerDaemonOptions in admin-settings.json.");
    }
  }

  const auto in_use = context.host_network().addresses_in_use();
  if (!in_use) {
    return refuse(requested->front().what, "Moat cannot tell whether the host already uses these "
                                      "addresses: " + in_use.error().message);
  }
  for (const auto& one : *requested) {
    for (const auto& use : *in_use) {
      if (!one.prefix.overlaps(use.prefix)) continue;
      return refuse(one.what, "it overlaps " + use.description +
                             ", and the host's own traffic there would go to this network's "
                             "containers instead");
    }
  }
  return Decision::allow(kRule);
}

}  // namespace moat::core::policy
