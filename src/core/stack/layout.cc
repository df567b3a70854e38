#include "core/stack/layout.h"

#include <filesystem>

namespace moat::core::stack {

std::vector<std::string> Layout::protected_paths() const {
  return {run_dir,
          lib_dir,
          std::filesystem::path(admin_settings).parent_path().string(),
          "/etc/moat",
          "/etc/docker",
          "/run/docker.sock",
          "/run/containerd",
          "/var/lib/docker",
          "/var/lib/containerd",
          engine_data_root(),
          engine_exec_root()};
}

Layout make_layout(const std::string& root, const std::string& admin_settings) {
  Layout layout;
  if (root.empty()) {
    layout.run_dir = "/run/moat";
    layout.lib_dir = "/var/lib/moat";
  } else {
    const std::string absolute = std::filesystem::absolute(root).lexically_normal().string();
    layout.run_dir = absolute;
    layout.lib_dir = absolute;
  }
  layout.admin_settings = admin_settings.empty()
                              ? std::string(kDefaultAdminSettings)
                              : std::filesystem::absolute(admin_settings).lexically_normal().string();
  return layout;
}

}  // namespace moat::core::stack
