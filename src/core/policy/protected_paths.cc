#include "core/policy/protected_paths.h"

namespace moat::core::policy {

std::vector<ProtectedPath> protected_paths_for(const stack::Layout& layout) {
  return {
      {layout.engine_socket(), "the engine socket"},
      {layout.user_socket(), "Moat's docker socket"},
      {layout.control_socket(), "Moat's control socket"},
      {layout.run_dir, "Moat's run directory"},
      {layout.lib_dir, "Moat's data directory"},
      {layout.engine_data_root(), "the engine's data root"},
      {layout.admin_settings, "the admin settings"},
      {"/etc/moat", "Moat's configuration"},
      {"/var/run/docker.sock", "the system engine socket"},
      {"/run/docker.sock", "the system engine socket"},
      {"/run/docker", "the system engine's run directory"},
      {"/etc/docker", "the engine configuration"},
      {"/var/lib/docker", "the system engine's data root"},
      {"/run/containerd", "containerd's sockets"},
      {"/var/lib/containerd", "containerd's data"},
      {"/run/buildkit", "BuildKit's sockets"},
      {"/run/moat-runc", "moat-runc's state"},
  };
}

}  // namespace moat::core::policy
