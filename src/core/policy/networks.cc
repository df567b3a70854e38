#include "core/policy/networks.h"

#include <algorithm>
#include <array>
#include <string_view>

#include "core/policy/body_fields.h"
#include "core/policy/namespaces.h"
#include "core/policy/network_addresses.h"
#include "core/policy/port_bindings.h"

namespace moat::core::policy {
namespace {

// Bridge driver options (-o) that only shape the network itself. Others are
// refused, whatever the engine makes of them: com.docker.network.bridge.name
// takes over an existing host interface as the bridge (and leaves addresses
// on it), com.docker.network.bridge.default_bridge makes the network stand
// in for the engine's default bridge.
// The default address of the network's published ports: judged by
// portBindingBehavior (port_bindings.h).
constexpr std::string_view kDefaultBindingAddress = "com.docker.network.bridge.host_binding_ipv4";
constexpr std::array<std::string_view, 5> kBridgeOptions = {
    "com.docker.network.bridge.enable_icc", "com.docker.network.bridge.enable_ip_masquerade",
    kDefaultBindingAddress, "com.docker.network.driver.mtu", "com.docker.network.container_iface_prefix"};

// The engine turns on net.ipv6.conf.all.forwarding for the whole host when
// it makes an IPv6 bridge. A host that forwards routes IPv6 between all its
// interfaces and stops taking router advertisements, so its own IPv6
// addresses and default route can lapse: that is the admin's to decide.
Decision judge_ipv6(const Fields& body, const PolicyContext& context) {
  const auto ipv6 = body.boolean("EnableIPv6");
  if (!ipv6) return ipv6.error();
  if (!*ipv6) return Decision::allow("network.ipv6-forwarding");
  const auto forwards = context.host_network().forwards_ipv6();
  if (forwards && *forwards) return Decision::allow("network.ipv6-forwarding");
  const std::string why =
      forwards ? "the engine would turn on IPv6 forwarding for the whole host (net.ipv6.conf.all.forwarding), "
                 "which makes the host route IPv6 between its interfaces and stop taking router "
                 "advertisements"
               : "Moat cannot tell whether the host forwards IPv6 (" + forwards.error().message + ")";
  return Decision::deny("network.ipv6-forwarding", "", "an IPv6 network is not allowed: " + why,
                        "An admin who wants the host to route IPv6 can turn it on first "
                        "(sysctl net.ipv6.conf.all.forwarding=1); IPv6 networks are then allowed.");
}

// A driver of networks or of their addresses that is an engine plugin.
Decision judge_plugin_driver(const std::string& subject, const std::string& why, const PolicyContext& context) {
  if (context.setting_on("moat.allowPlugins")) return Decision::allow("network.create");
  return Decision::deny("network.driver-plugin", "moat.allowPlugins", subject + " is not allowed: " + why,
                        admin_remedy("moat.allowPlugins", true));
}

Decision judge_ipam_driver(const Fields& ipam, const PolicyContext& context) {
  const auto driver = ipam.string("Driver");
  if (!driver) return driver.error();
  // The engine's own: "default" (its pools) and "null" (no addresses).
  if (driver->empty() || *driver == "default" || *driver == "null") return Decision::allow("network.create");
  return judge_plugin_driver("IPAM driver " + *driver,
                             "address drivers other than default and null are engine plugins", context);
}

Decision judge_local_network(const Fields& body, const PolicyContext& context) {
  const auto options = body.string_map("Options");
  if (!options) return options.error();
  for (const auto& [key, value] : *options) {
    const bool shapes_the_network =
        std::find(kBridgeOptions.begin(), kBridgeOptions.end(), key) != kBridgeOptions.end();
    if (!shapes_the_network) {
      return Decision::deny("network.driver-option", "",
                            "network option " + key + "=" + value +
                                " is not allowed: a developer's bridge network may set only "
                                "enable_icc, enable_ip_masquerade, host_binding_ipv4, mtu and "
                                "container_iface_prefix; others reach the host's own interfaces",
                            "");
    }
    if (key == kDefaultBindingAddress) {
      const Decision d = judge_binding_address(value, "network option " + key + "=" + value, context);
      if (!d.allowed) return d;
    }
  }
  if (const Decision d = judge_ipv6(body, context); !d.allowed) return d;
  const auto ipam = body.object_at("IPAM");
  if (!ipam) return ipam.error();
  if (const Decision d = judge_ipam_driver(*ipam, context); !d.allowed) return d;
  if (const Decision d = judge_network_addresses(*ipam, context); !d.allowed) return d;
  return Decision::allow("network.create");
}

}  // namespace

Decision judge_network_create(const ApiRequest& request, const PolicyContext& context) {
  const auto body = body_fields(request.body);
  if (!body) return body.error();
  const auto driver = body->string("Driver");
  if (!driver) return driver.error();
  const auto ingress = body->boolean("Ingress");
  if (!ingress) return ingress.error();

  const std::string subject = "network driver " + *driver;
  if (*driver == "host") {
    return Decision::deny("network.driver", "",
                          subject + " is not allowed: it would put containers in the host's "
                                    "network namespace",
                          "");
  }
  if (*driver == "macvlan" || *driver == "ipvlan") {
    return Decision::deny("network.driver", "",
                          subject + " is not allowed: it attaches containers directly to the "
                                    "host's network interfaces",
                          "");
  }
  // A config-only network's options and addresses serve whichever network
  // later names it with --config-from, a bridge among them.
  const auto config_only = body->boolean("ConfigOnly");
  if (!config_only) return config_only.error();
  if (*config_only) return judge_local_network(*body, context);
  if (*driver == "overlay" || *ingress) {
    if (context.setting_on("moat.allowSwarm")) return Decision::allow("network.create");
    const std::string what = *ingress ? "an ingress network" : subject;
    return Decision::deny("network.overlay", "moat.allowSwarm",
                          what + " is not allowed: it belongs to swarm mode",
                          admin_remedy("moat.allowSwarm", true));
  }
  if (driver->empty() || *driver == "bridge" || *driver == "null") {
    return judge_local_network(*body, context);
  }
  return judge_plugin_driver(subject, "network drivers other than bridge are engine plugins", context);
}

Decision judge_network_connect(const ApiRequest& request, const PolicyContext& /*context*/) {
  // segments: {"networks", "<id or name>", "connect"}
  if (const Decision d = judge_network_mode(request.segments.at(1)); !d.allowed) return d;
  return Decision::allow("network.connect");
}

}  // namespace moat::core::policy
