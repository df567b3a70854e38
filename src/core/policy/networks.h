#pragma once
// Rule family "network": networks developers create and connect to.
// - network.driver: host, macvlan and ipvlan attach containers to the host's
//   network namespace or directly to its interfaces.
// - network.overlay: overlay networks (and ingress) belong to swarm; allowed
//   with moat.allowSwarm.
// - network.driver-plugin: any driver other than bridge, null, overlay and
//   the refused ones is an engine plugin, and so is any IPAM driver other
//   than default and null; allowed with moat.allowPlugins.
// - network.driver-option: a bridge network's -o options, only those that
//   shape the network itself.
// - network.subnet: the addresses of a bridge network (network_addresses.h).
// - network.ipv6-forwarding: an IPv6 bridge only on a host that already
//   forwards IPv6; the engine would otherwise turn forwarding on host-wide.
// A config-only network is judged as a bridge: --config-from hands its
// options and addresses to the network that names it.
// Connecting a container to the network "host" is refused by the namespace
// rule (namespaces.h). A network named by id is not resolved here: the
// runtime refuses a host network namespace whichever way it is named.

#include "core/policy/decision.h"
#include "core/policy/policy_context.h"

namespace moat::core::policy {

// POST /networks/create
Decision judge_network_create(const ApiRequest& request, const PolicyContext& context);
// POST /networks/{id}/connect
Decision judge_network_connect(const ApiRequest& request, const PolicyContext& context);

}  // namespace moat::core::policy
