#include "core/policy/containers.h"

#include <array>
#include <string_view>

#include "core/policy/body_fields.h"
#include "core/policy/devices.h"
#include "core/policy/host_resources.h"
#include "core/policy/log_driver.h"
#include "core/policy/mounts.h"
#include "core/policy/namespaces.h"
#include "core/policy/port_bindings.h"
#include "core/policy/privileges.h"
#include "core/policy/runtime_choice.h"
#include "core/policy/security_options.h"
#include "core/policy/sysctls.h"
#include "core/policy/working_directory.h"

namespace moat::core::policy {
namespace {

constexpr std::array<std::string_view, 24> kHostConfigFieldsJudged = {
    "Binds",       "Mounts",        "Privileged",   "CapAdd",         "Capabilities",
    "Devices",     "DeviceRequests", "DeviceCgroupRules", "PidMode",  "IpcMode",
    "NetworkMode", "UTSMode",       "UsernsMode",   "CgroupnsMode",   "Cgroup",
    "SecurityOpt", "Sysctls",       "MaskedPaths",  "ReadonlyPaths",  "Runtime",
    "CgroupParent", "VolumesFrom",  "VolumeDriver", "OomScoreAdj"};

Decision judge_root_fields(const Fields& body) {
  if (!body.present()) return Decision::allow("container.host-config-at-root");
  for (const auto field : kHostConfigFieldsJudged) {
    if (body.object->contains(field)) {
      return Decision::deny("container.host-config-at-root", "",
                            "the HostConfig field " + std::string(field) +
                                " at the top level of a create body is not allowed: send it "
                                "under HostConfig",
                            "");
    }
  }
  return Decision::allow("container.host-config-at-root");
}

}  // namespace

Decision judge_container_create(const ApiRequest& request, const PolicyContext& context) {
  const auto body = body_fields(request.body);
  if (!body) return body.error();
  if (const Decision d = judge_root_fields(*body); !d.allowed) return d;
  const auto host = body->object_at("HostConfig");
  if (!host) return host.error();
  const auto networking = body->object_at("NetworkingConfig");
  if (!networking) return networking.error();

  const Decision decisions[] = {
      judge_container_privileges(*host, context),
      judge_container_mounts(*host, context),
      judge_devices(*host),
      judge_namespaces(*host, *networking),
      judge_security_options(*host),
      judge_sysctls(*host),
      judge_runtime(*host),
      judge_host_resources(*host),
      judge_log_driver(*host, context),
      judge_port_bindings(*host, context),
      judge_working_directory(*body),
  };
  for (const auto& d : decisions) {
    if (!d.allowed) return d;
  }
  return Decision::allow("container.create");
}

Decision judge_container_update(const ApiRequest& request, const PolicyContext& /*context*/) {
  const auto body = body_fields(request.body);
  if (!body) return body.error();
  if (const Decision d = judge_devices(*body); !d.allowed) return d;
  if (const Decision d = judge_host_resources(*body); !d.allowed) return d;
  return Decision::allow("container.update");
}

Decision judge_exec_create(const ApiRequest& request, const PolicyContext& context) {
  const auto body = body_fields(request.body);
  if (!body) return body.error();
  if (const Decision d = judge_exec_privileges(*body, context); !d.allowed) return d;
  if (const Decision d = judge_working_directory(*body); !d.allowed) return d;
  return Decision::allow("exec.create");
}

}  // namespace moat::core::policy
