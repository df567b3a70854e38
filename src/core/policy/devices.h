#pragma once
// Rule family "devices": no host device reaches a container, with or without
// ECI (a device node opened in a user namespace still drives host hardware).
// - container.devices: Devices (--device).
// - container.device-requests: DeviceRequests (--gpus, CDI-style requests).
// - container.device-cgroup-rules: DeviceCgroupRules (--device-cgroup-rule).
// Judged wherever the fields appear: container create (HostConfig) and
// container update (the same Resources fields at the top level).

#include "core/policy/body_fields.h"
#include "core/policy/decision.h"

namespace moat::core::policy {

Decision judge_devices(const Fields& resources);

}  // namespace moat::core::policy
