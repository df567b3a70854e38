#include "core/policy/build.h"

#include "core/policy/host_resources.h"

namespace moat::core::policy {

Decision judge_build(const ApiRequest& request, const PolicyContext& /*context*/) {
  for (const auto& [key, value] : request.query) {
    if (key == "networkmode") {
      if (value == "host") {
        return Decision::deny("build.network-host", "",
                              "docker build --network=host is not allowed: build steps would "
                              "share the host's network namespace",
                              "");
      }
      if (value.starts_with("container:")) {
        return Decision::deny("build.network-host", "",
                              "docker build --network=" + value +
                                  " is not allowed: build steps would join another container's "
                                  "network namespace",
                              "");
      }
    } else if (key == "remote" && !value.empty() && value != "client-session") {
      return Decision::deny("build.remote", "",
                            "docker build from " + value +
                                " is not allowed: the engine would fetch a build context Moat "
                                "cannot check; fetch it first and build from a local directory",
                            "");
    } else if (key == "cgroupparent") {
      const std::string subject = "docker build --cgroup-parent " + value;
      if (const Decision d = judge_cgroup_parent(value, subject); !d.allowed) return d;
    }
  }
  return Decision::allow("build");
}

}  // namespace moat::core::policy
