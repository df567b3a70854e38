#include "core/policy/networks.h"

#include "core/policy/body_fields.h"
#include "core/policy/namespaces.h"

namespace moat::core::policy {

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
  if (*driver == "overlay" || *ingress) {
    if (context.setting_on("moat.allowSwarm")) return Decision::allow("network.create");
    const std::string what = *ingress ? "an ingress network" : subject;
    return Decision::deny("network.overlay", "moat.allowSwarm",
                          what + " is not allowed: it belongs to swarm mode",
                          admin_remedy("moat.allowSwarm", true));
  }
  if (driver->empty() || *driver == "bridge" || *driver == "null") {
    return Decision::allow("network.create");
  }
  if (context.setting_on("moat.allowPlugins")) return Decision::allow("network.create");
  return Decision::deny("network.driver-plugin", "moat.allowPlugins",
                        subject + " is not allowed: network drivers other than bridge are "
                                  "engine plugins",
                        admin_remedy("moat.allowPlugins", true));
}

Decision judge_network_connect(const ApiRequest& request, const PolicyContext& /*context*/) {
  // segments: {"networks", "<id or name>", "connect"}
  if (const Decision d = judge_network_mode(request.segments.at(1)); !d.allowed) return d;
  return Decision::allow("network.connect");
}

}  // namespace moat::core::policy
