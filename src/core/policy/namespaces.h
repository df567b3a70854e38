#pragma once
// Rule family "namespaces": HostConfig.PidMode, IpcMode, NetworkMode,
// UTSMode, UsernsMode, CgroupnsMode, Cgroup, and the networks named in
// NetworkingConfig.EndpointsConfig.
//
// - container.namespace-host: "host" shares a namespace with the host.
// - container.namespace-join: "container:<id>" joins another container's
//   namespace. Under ECI each container has its own user namespace and a
//   namespace owned by another one cannot be shared (moat-runc refuses it
//   too).
// - container.namespace-mode: any other value Moat does not know.
// Allowed: pid/uts/userns ""; ipc "", none, private, shareable; cgroupns "",
// private; network "", default, bridge, none and user-defined network names.

#include "core/policy/body_fields.h"
#include "core/policy/decision.h"

namespace moat::core::policy {

// The container create body: HostConfig and NetworkingConfig.
Decision judge_namespaces(const Fields& host_config, const Fields& networking_config);

// One network a container joins (NetworkMode or an endpoint's network).
Decision judge_network_mode(const std::string& mode);

}  // namespace moat::core::policy
