#pragma once
// Rule family "mount": what a container mounts (HostConfig.Binds, Mounts,
// VolumesFrom, VolumeDriver) and what a local volume mounts when it is
// created (volume create, or a Mounts entry with DriverConfig). Every host
// path goes through judge_host_path (host_paths.h).
//
// - mount.binds-syntax: a Binds entry must read [source:]target[:options].
// - bind.propagation: shared or rshared propagation would let mounts made in
//   the container appear on the host.
// - mount.type: only bind, volume and tmpfs mounts (npipe is Windows-only).
// - volume.driver-plugin: a volume driver other than "local" is a plugin;
//   allowed only with moat.allowPlugins.
// - volume.local-options: the local driver may bind a host path (judged as a
//   bind), mount tmpfs or a network filesystem; mounting anything else (a
//   block device, procfs...) or moving mounts is refused.
// - container.volumes-from: refused; it copies another container's mounts.

#include <string>
#include <utility>
#include <vector>

#include "core/policy/body_fields.h"
#include "core/policy/decision.h"
#include "core/policy/policy_context.h"

namespace moat::core::policy {

using StringPairs = std::vector<std::pair<std::string, std::string>>;

// HostConfig.Binds, Mounts, VolumesFrom and VolumeDriver.
Decision judge_container_mounts(const Fields& host_config, const PolicyContext& context);

// A volume driver named by a request ("" means the default, local).
Decision judge_volume_driver(const std::string& driver, const PolicyContext& context);

// Options of the local volume driver (type, o, device, size); `subject`
// names the volume for messages: "volume data".
Decision judge_local_volume_options(const StringPairs& options, const std::string& subject,
                                    const PolicyContext& context);

}  // namespace moat::core::policy
