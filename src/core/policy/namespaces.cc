#include "core/policy/namespaces.h"

#include <algorithm>
#include <string_view>
#include <vector>

namespace moat::core::policy {
namespace {

struct NamespaceField {
  const char* field;       // "PidMode"
  const char* flag;        // "--pid"
  const char* namespace_;  // "process"
  std::vector<std::string_view> allowed;
  bool any_name = false;  // user-defined names allowed (networks)
};

Decision judge_mode(const NamespaceField& ns, const std::string& mode) {
  const std::string subject = std::string(ns.flag) + "=" + mode;
  if (mode == "host") {
    return Decision::deny("container.namespace-host", "",
                          subject + " is not allowed: the container would share the host's " +
                              ns.namespace_ + " namespace",
                          "");
  }
  if (mode.starts_with("container:")) {
    return Decision::deny("container.namespace-join", "",
                          subject + " is not allowed: the container would join another "
                                    "container's " +
                              ns.namespace_ +
                              " namespace, and each container keeps its own user namespace",
                          "");
  }
  if (std::find(ns.allowed.begin(), ns.allowed.end(), mode) != ns.allowed.end() || ns.any_name) {
    return Decision::allow("container.namespaces");
  }
  return Decision::deny("container.namespace-mode", "",
                        subject + " is not allowed: it is not a " + ns.namespace_ +
                            " namespace mode Moat knows",
                        "");
}

const NamespaceField kNetwork{"NetworkMode", "--network", "network",
                              {"", "default", "bridge", "none"}, true};

}  // namespace

Decision judge_network_mode(const std::string& mode) { return judge_mode(kNetwork, mode); }

Decision judge_namespaces(const Fields& host_config, const Fields& networking_config) {
  static const NamespaceField kFields[] = {
      {"PidMode", "--pid", "process", {""}},
      {"IpcMode", "--ipc", "IPC", {"", "none", "private", "shareable"}},
      kNetwork,
      {"UTSMode", "--uts", "UTS", {""}},
      {"UsernsMode", "--userns", "user", {""}},
      {"CgroupnsMode", "--cgroupns", "cgroup", {"", "private"}},
      {"Cgroup", "--cgroup", "cgroup", {""}},
  };
  for (const auto& ns : kFields) {
    const auto mode = host_config.string(ns.field);
    if (!mode) return mode.error();
    if (const Decision d = judge_mode(ns, *mode); !d.allowed) return d;
  }
  const auto endpoints = networking_config.object_at("EndpointsConfig");
  if (!endpoints) return endpoints.error();
  if (endpoints->present()) {
    for (const auto& endpoint : endpoints->object->items()) {
      if (const Decision d = judge_network_mode(endpoint.key()); !d.allowed) return d;
    }
  }
  return Decision::allow("container.namespaces");
}

}  // namespace moat::core::policy
