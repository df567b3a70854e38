#pragma once
// The Go types dockerd 20.10 (Engine API v1.41) decodes request bodies into,
// for the endpoints whose bodies the policy reads. Field names are the JSON
// names of moby's structs (api/types/container/config.go, host_config.go,
// api/types/mount/mount.go, api/types/network, api/types/volume,
// api/types/configs.go at v20.10), checked against docs/api/v1.41.yaml.
//
// Decisions:
// - container create takes the Config fields at the top level plus
//   "HostConfig" and "NetworkingConfig". dockerd 20.10 also still decodes
//   every HostConfig field and "Cpuset" at the top level (its
//   ContainerConfigWrapper embeds *HostConfig, used when "HostConfig" is
//   absent): those keys are refused as unknown, so a policy only ever looks
//   under /HostConfig.
// - "Capabilities" (HostConfig, API 1.40 only) is not a 20.10 field: refused.
// - Fields newer than v1.41 that the Docker 28 CLI sends when it talks API
//   1.41 are accepted and forwarded (dockerd 20.10 ignores them); each Field
//   records its `since` version:
//     EndpointSettings.DNSNames (1.44), EndpointSettings.GwPriority (1.48),
//     Mount.VolumeOptions.Subpath (1.45), Mount.ImageOptions.Subpath (1.48),
//     network create EnableIPv4 (1.47).
//   Other newer fields (HostConfig.Annotations, BindOptions
//   ReadOnlyNonRecursive/ReadOnlyForceRecursive/CreateMountpoint,
//   HealthConfig.StartInterval, exec ConsoleSize, per-endpoint MacAddress)
//   are refused by that CLI itself below their API version, and refused
//   here as unknown.

#include "moatd/http/go_json.h"

namespace moat::moatd::http::docker_api_v141 {

// POST /containers/create (ContainerConfigWrapper).
const go_json::Type& container_create();
// POST /containers/{id}/update (container.UpdateConfig).
const go_json::Type& container_update();
// POST /containers/{id}/exec (types.ExecConfig).
const go_json::Type& exec_create();
// POST /exec/{id}/start (types.ExecStartCheck).
const go_json::Type& exec_start();
// POST /volumes/create (volume.VolumeCreateBody).
const go_json::Type& volume_create();
// POST /networks/create (types.NetworkCreateRequest).
const go_json::Type& network_create();

}  // namespace moat::moatd::http::docker_api_v141
