#include "core/settings/daemon_options.h"

#include <map>
#include <set>
#include <string_view>

namespace moat::core::settings {
namespace {

// Moat-owned options and why. Anything not here and not in kPassThrough is
// refused as unknown: dockerd itself refuses unknown keys at start, and an
// option Moat has not reviewed must not reach the engine.
const std::map<std::string_view, std::string_view>& owned_options() {
  static const std::map<std::string_view, std::string_view> owned = {
      {"hosts", "the engine listens only on Moat's root-only socket"},
      {"host", "the engine listens only on Moat's root-only socket"},
      {"group", "only root may open the engine socket"},
      {"tls", "the engine serves no TCP API"},
      {"tlsverify", "the engine serves no TCP API"},
      {"tlscacert", "the engine serves no TCP API"},
      {"tlscert", "the engine serves no TCP API"},
      {"tlskey", "the engine serves no TCP API"},
      {"data-root", "Moat keeps the engine's state under its own roots"},
      {"graph", "Moat keeps the engine's state under its own roots"},
      {"exec-root", "Moat keeps the engine's state under its own roots"},
      {"pidfile", "Moat keeps the engine's state under its own roots"},
      {"default-runtime", "every container runs through Moat's isolating runtime"},
      {"runtimes", "every container runs through Moat's isolating runtime"},
      {"userns-remap", "Enhanced Container Isolation gives each container its own user namespace"},
      {"authorization-plugins", "API policy is enforced by moatd"},
      {"containerd", "the engine runs its own containerd, whose runtime Moat governs"},
      {"containerd-namespace", "the engine runs its own containerd, whose runtime Moat governs"},
      {"containerd-plugins-namespace",
       "the engine runs its own containerd, whose runtime Moat governs"},
      {"seccomp-profile", "containers keep Docker's default seccomp profile"},
      {"default-cgroupns-mode", "every container gets its own namespaces"},
      {"default-ipc-mode", "every container gets its own namespaces"},
      {"userland-proxy-path", "the engine runs only binaries Moat verifies"},
      {"init-path", "the engine runs only binaries Moat verifies"},
      {"storage-driver", "Moat's runtime maps each container's overlay2 root filesystem"},
      {"registry-mirrors", "which registries the engine reaches is decided by moat.registryAccess"},
      {"allow-nondistributable-artifacts",
       "which registries the engine reaches is decided by moat.registryAccess"},
      {"proxies", "set proxy or containersProxy instead"},
      {"live-restore", "moatctl down stops every container; live restore would leave them running"},
  };
  return owned;
}

bool passes_through(std::string_view key) {
  static const std::set<std::string_view> pass_through = {
      "debug", "log-level", "log-driver", "log-opts", "log-format", "raw-logs",
      "experimental", "features", "builder", "dns", "dns-opts", "dns-search",
      "bip", "bridge", "fixed-cidr", "fixed-cidr-v6", "default-address-pools",
      "default-gateway", "default-gateway-v6", "ipv6", "iptables", "ip6tables",
      "ip-forward", "ip-masq", "ip", "mtu", "icc", "userland-proxy",
      "insecure-registries", "labels", "max-concurrent-downloads",
      "max-concurrent-uploads", "max-download-attempts", "shutdown-timeout",
      "default-ulimits", "default-shm-size", "oom-score-adjust",
      "no-new-privileges", "selinux-enabled", "metrics-addr", "exec-opts",
      "cgroup-parent", "cpu-rt-period", "cpu-rt-runtime", "storage-opts",
  };
  return pass_through.contains(key);
}

}  // namespace

std::vector<std::string> check_daemon_options(const nlohmann::json& options) {
  std::vector<std::string> problems;
  if (!options.is_object()) {
    problems.emplace_back("must be a JSON object of dockerd options");
    return problems;
  }
  for (const auto& [key, value] : options.items()) {
    if (const auto it = owned_options().find(key); it != owned_options().end()) {
      problems.push_back("\"" + key + "\" is owned by Moat and cannot be set: " +
                         std::string(it->second));
    } else if (!passes_through(key)) {
      problems.push_back("\"" + key + "\" is not a dockerd option Moat passes to the engine");
    }
  }
  return problems;
}

}  // namespace moat::core::settings
