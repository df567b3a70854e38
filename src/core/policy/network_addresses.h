#pragma once
// Rule network.subnet: the addresses a developer picks for a new network.
// The engine puts a network's gateway on a new bridge in the host's network
// namespace and routes its subnet there, so a subnet that covers an address
// the host talks to (its nameserver, a server behind its default route, its
// own LAN) sends the host's traffic for it to the developer's containers.
// A subnet is allowed where the engine could have picked it itself: inside
// the engine's address pools (IPv6: unique local fd00::/8, which the engine
// has no pool for), clear of every route, interface address and nameserver
// of the host. A network created without addresses is left to the engine,
// which makes the same checks.

#include "core/policy/body_fields.h"
#include "core/policy/decision.h"
#include "core/policy/policy_context.h"

namespace moat::core::policy {

// `ipam`: the /IPAM object of POST /networks/create.
Decision judge_network_addresses(const Fields& ipam, const PolicyContext& context);

}  // namespace moat::core::policy
