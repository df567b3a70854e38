#pragma once
// moatd's half of portBindingBehavior's local modes
// (core::engine::binds_ports_locally; the policy's half, in
// core/policy/port_bindings.h, refuses addresses outside loopback in
// "local-only-port-binding"). The engine's default binding address ("ip",
// set from the setting) covers only its default bridge; a user-defined
// bridge network listens on its own default, 0.0.0.0 unless the network was
// created with another. So moatd names 127.0.0.1 itself where a request
// leaves the address to the engine: in a container's published ports, and
// as the default of a bridge network a developer creates.

#include <nlohmann/json.hpp>

#include "moatd/http/canonical_request.h"

namespace moat::moatd {

// POST /networks/create.
bool creates_network(const http::CanonicalRequest& request);

// A create's HostConfig.PortBindings: each binding without HostIp gets 127.0.0.1.
void bind_unaddressed_ports(nlohmann::json& create_body);

// A bridge network's create without com.docker.network.bridge.host_binding_ipv4
// gets 127.0.0.1. Left alone: other drivers, and a network that takes its
// options from a config-only network (--config-from), which may name none.
void bind_network_ports_locally(nlohmann::json& network_body);

}  // namespace moat::moatd
