#pragma once
// Reading /proc/self/mountinfo: which mount sits on a path, which mounts lie
// under a directory, and the layers of an overlay mount.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result/result.h"

namespace moat::core::sys {

struct MountInfoEntry {
  std::string mount_point;    // unescaped
  std::string fs_type;
  std::string source;
  std::string super_options;  // still escaped, comma separated
  std::string device;         // "major:minor"
  std::string root;           // the directory of its filesystem it shows, unescaped
};

// Lines that do not have the mountinfo shape are skipped.
std::vector<MountInfoEntry> parse_mountinfo(std::string_view text);

Result<std::string> read_self_mountinfo();

// The topmost mount on exactly this path.
std::optional<MountInfoEntry> mount_at(const std::vector<MountInfoEntry>& mounts,
                                       std::string_view path);

// Mount points equal to dir or below it, the most recently mounted first
// (the order to unmount them in).
std::vector<std::string> mounts_under(const std::vector<MountInfoEntry>& mounts,
                                      std::string_view dir);

// The host path whose files `path` really shows, when the mount it lies on
// shows a subdirectory of a filesystem that is also mounted elsewhere (a
// bind mount, such as a local volume with o=bind): the mount point of the
// widest other mount of the same device plus the rest of the path. Nothing
// when the mount shows its filesystem's root or no other mount of that
// device is visible; mounts under `ignore_under` (the runtime's own clones)
// are not used.
std::optional<std::string> bind_origin(const std::vector<MountInfoEntry>& mounts,
                                       std::string_view path, std::string_view ignore_under = {});

struct OverlayLayers {
  std::vector<std::string> lower_dirs;  // top first
  std::string upper_dir;
  std::string work_dir;
  std::vector<std::string> other_options;  // "index=off", "userxattr": as the kernel lists them
};

// Layers of an overlay mount. Relative layer paths (the engine uses them
// when the option string would be too long) are taken relative to
// relative_base. Refuses an overlay without an upper layer, with data-only
// layers, or with paths it cannot read unambiguously.
Result<OverlayLayers> overlay_layers(const MountInfoEntry& mount, const std::string& relative_base);

// "\040" -> " " and the other octal escapes the kernel writes.
std::string unescape_octal(std::string_view text);

}  // namespace moat::core::sys
