// Reads arbitrary mount tables the way moat-runc and moatd read /proc/self/mountinfo
// (to find a container's overlay layers, what to unmount, and which host
// directory a bind mount shows) and checks that nothing throws or reads out
// of bounds, that lookups find what the table holds, and that the overlay
// layers it accepts are absolute paths without escapes left in them, since
// moat-runc mounts them again ID-mapped and moatd mounts them again as they
// were (core/engine/rootfs_view.h).
//
// Input: the text of a mountinfo file.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/sys/mountinfo.h"

namespace mounts_info = moat::core::sys;

namespace {

void check_layer(const std::string& path) {
  if (path.empty() || path.front() != '/' || path.find('\\') != std::string::npos) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (mounts_info::unescape_octal(text).size() > text.size()) __builtin_trap();

  const auto mounts = mounts_info::parse_mountinfo(text);
  for (const auto& mount : mounts) {
    const auto found = mounts_info::mount_at(mounts, mount.mount_point);
    if (!found || found->mount_point != mount.mount_point) __builtin_trap();
    const auto under = mounts_info::mounts_under(mounts, mount.mount_point);
    if (std::find(under.begin(), under.end(), mount.mount_point) == under.end()) __builtin_trap();
    (void)mounts_info::bind_origin(mounts, mount.mount_point + "/file", "/run/moat/runtime");

    const auto layers = mounts_info::overlay_layers(mount, "/var/lib/docker/overlay2");
    if (!layers) {
      if (layers.error().message.empty()) __builtin_trap();
      continue;
    }
    if (layers->lower_dirs.empty()) __builtin_trap();
    for (const auto& lower : layers->lower_dirs) check_layer(lower);
    check_layer(layers->upper_dir);
    check_layer(layers->work_dir);
    // moatd mounts the engine's overlay again with these on top of the
    // layers: none may name a layer a second time.
    for (const auto& option : layers->other_options) {
      const std::string_view key = std::string_view(option).substr(0, option.find('='));
      if (key.empty() || key == "lowerdir" || key == "lowerdir+" || key == "upperdir" || key == "workdir" ||
          key == "datadir+" || key == "rw" || key == "ro") {
        __builtin_trap();
      }
    }
  }
  return 0;
}
