#include "core/policy/devices.h"

namespace moat::core::policy {

Decision judge_devices(const Fields& resources) {
  const auto devices = resources.array("Devices");
  if (!devices) return devices.error();
  if (*devices != nullptr && !(*devices)->empty()) {
    const auto first = element_object(**devices, 0, resources.pointer("Devices"));
    if (!first) return first.error();
    const auto path = first->string("PathOnHost");
    if (!path) return path.error();
    return Decision::deny("container.devices", "",
                          "--device " + *path + " is not allowed: host devices stay out of "
                                                "containers",
                          "");
  }
  const auto requests = resources.array("DeviceRequests");
  if (!requests) return requests.error();
  if (*requests != nullptr && !(*requests)->empty()) {
    return Decision::deny("container.device-requests", "",
                          "--gpus (DeviceRequests) is not allowed: it hands host devices to the "
                          "container",
                          "");
  }
  const auto rules = resources.strings("DeviceCgroupRules");
  if (!rules) return rules.error();
  if (!rules->empty()) {
    return Decision::deny("container.device-cgroup-rules", "",
                          "--device-cgroup-rule \"" + rules->front() +
                              "\" is not allowed: it lets the container use host device nodes",
                          "");
  }
  return Decision::allow("container.devices");
}

}  // namespace moat::core::policy
