#pragma once
// Rule "container.port-binding": which host addresses a published port may
// listen on, as the admin's portBindingBehavior says (Docker Desktop's
// setting of that name):
// - "default-port-binding": any, as the engine does.
// - "default-local-port-binding": a port published without an address
//   listens on 127.0.0.1 (moatd names it: moatd/local_port_binding.h); one
//   published on an address the developer names listens there.
// - "local-only-port-binding": as above, and a port published on an address
//   outside loopback (127.0.0.0/8, ::1) is refused, on a container or as a
//   bridge network's default (com.docker.network.bridge.host_binding_ipv4),
//   so nothing a developer runs can be reached from another machine. So is
//   -P (PublishAllPorts): it listens on each network's own default address,
//   which for a network made before the setting may be any.

#include <string>

#include "core/policy/body_fields.h"
#include "core/policy/decision.h"
#include "core/policy/policy_context.h"

namespace moat::core::policy {

// HostConfig of a create: PortBindings and PublishAllPorts.
Decision judge_port_bindings(const Fields& host_config, const PolicyContext& context);

// A host address published ports are to listen on; `subject` names where
// it was given ("-p 0.0.0.0:8080:80/tcp").
Decision judge_binding_address(const std::string& address, const std::string& subject,
                               const PolicyContext& context);

}  // namespace moat::core::policy
