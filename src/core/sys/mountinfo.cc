#include "core/sys/mountinfo.h"
#include "core/sys/read_file.h"

namespace moat::core::sys {
namespace {

std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> out;
  std::size_t pos = 0;
  for (;;) {
    const std::size_t end = text.find(sep, pos);
    out.push_back(text.substr(pos, end == std::string_view::npos ? std::string_view::npos
                                                                 : end - pos));
    if (end == std::string_view::npos) {
      return out;
    }
    pos = end + 1;
  }
}

bool is_octal(char c) { return c >= '0' && c <= '7'; }

}  // namespace

std::string unescape_octal(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 3 < text.size() && is_octal(text[i + 1]) &&
        is_octal(text[i + 2]) && is_octal(text[i + 3])) {
      out.push_back(static_cast<char>((text[i + 1] - '0') * 64 + (text[i + 2] - '0') * 8 +
                                      (text[i + 3] - '0')));
      i += 3;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

std::vector<MountInfoEntry> parse_mountinfo(std::string_view text) {
  std::vector<MountInfoEntry> out;
  for (std::string_view line : split(text, '\n')) {
    if (line.empty()) {
      continue;
    }
    // id parent major:minor root mount-point options [optional...] - type source super
    const std::size_t dash = line.find(" - ");
    if (dash == std::string_view::npos) {
      continue;
    }
    const auto head = split(line.substr(0, dash), ' ');
    const auto tail = split(line.substr(dash + 3), ' ');
    if (head.size() < 6 || tail.size() < 3) {
      continue;
    }
    out.push_back(MountInfoEntry{unescape_octal(head[4]), unescape_octal(tail[0]),
                                 unescape_octal(tail[1]), std::string(tail[2]),
                                 std::string(head[2]), unescape_octal(head[3])});
  }
  return out;
}

Result<std::string> read_self_mountinfo() {
  return core::sys::read_file("/proc/self/mountinfo");
}

std::optional<MountInfoEntry> mount_at(const std::vector<MountInfoEntry>& mounts,
                                       std::string_view path) {
  std::optional<MountInfoEntry> found;
  for (const MountInfoEntry& m : mounts) {
    if (m.mount_point == path) {
      found = m;  // later lines are mounted on top
    }
  }
  return found;
}

std::vector<std::string> mounts_under(const std::vector<MountInfoEntry>& mounts,
                                      std::string_view dir) {
  std::vector<std::string> out;
  const std::string prefix = std::string(dir) + "/";
  for (auto it = mounts.rbegin(); it != mounts.rend(); ++it) {
    if (it->mount_point == dir || it->mount_point.starts_with(prefix)) {
      out.push_back(it->mount_point);
    }
  }
  return out;
}

namespace {

// a == b or a is a directory above b, by whole components.
bool covers(std::string_view a, std::string_view b) {
  if (a == "/") {
    return true;
  }
  return b == a || (b.starts_with(a) && b.size() > a.size() && b[a.size()] == '/');
}

std::string joined(std::string_view base, std::string_view rest) {
  if (rest.empty()) {
    return base.empty() ? "/" : std::string(base);
  }
  return base == "/" ? std::string(rest) : std::string(base) + std::string(rest);
}

}  // namespace

std::optional<std::string> bind_origin(const std::vector<MountInfoEntry>& mounts,
                                       std::string_view path, std::string_view ignore_under) {
  // The topmost mount whose mount point covers path, nearest first.
  const MountInfoEntry* on = nullptr;
  for (const MountInfoEntry& m : mounts) {
    if (covers(m.mount_point, path) && (on == nullptr || m.mount_point.size() >= on->mount_point.size())) {
      on = &m;
    }
  }
  if (on == nullptr || on->root == "/" || on->root.empty()) {
    return std::nullopt;
  }
  const std::string_view rest = path.substr(on->mount_point == "/" ? 0 : on->mount_point.size());
  const MountInfoEntry* origin = nullptr;
  for (const MountInfoEntry& m : mounts) {
    if (&m == on || m.device != on->device || !covers(m.root, on->root)) {
      continue;
    }
    if (!ignore_under.empty() && covers(ignore_under, m.mount_point)) {
      continue;
    }
    if (origin == nullptr || m.root.size() < origin->root.size()) {
      origin = &m;
    }
  }
  if (origin == nullptr) {
    return std::nullopt;
  }
  // on->root lies at or below origin->root; what is between is the path
  // inside origin's mount point.
  const std::string_view below =
      std::string_view(on->root).substr(origin->root == "/" ? 0 : origin->root.size());
  return joined(origin->mount_point, std::string(below) + std::string(rest));
}

Result<OverlayLayers> overlay_layers(const MountInfoEntry& mount,
                                     const std::string& relative_base) {
  if (mount.fs_type != "overlay") {
    return fail(mount.mount_point + " is a " + mount.fs_type + " mount, not an overlay");
  }
  OverlayLayers layers;
  const auto absolute = [&](std::string path) -> Result<std::string> {
    if (path.empty() || path.find('\\') != std::string::npos) {
      return fail("overlay layer path \"" + path + "\" of " + mount.mount_point +
                  " cannot be read unambiguously");
    }
    if (path.front() != '/') {
      path = relative_base + "/" + path;
    }
    return path;
  };
  for (std::string_view option : split(mount.super_options, ',')) {
    const std::size_t eq = option.find('=');
    const std::string_view key = option.substr(0, eq);
    const std::string value =
        eq == std::string_view::npos ? std::string() : unescape_octal(option.substr(eq + 1));
    if (key == "lowerdir" || key == "lowerdir+") {
      for (std::string_view part : split(value, key == "lowerdir" ? ':' : '\0')) {
        auto path = absolute(std::string(part));
        if (!path) {
          return unexpected(path.error());
        }
        layers.lower_dirs.push_back(*path);
      }
    } else if (key == "upperdir" || key == "workdir") {
      auto path = absolute(value);
      if (!path) {
        return unexpected(path.error());
      }
      (key == "upperdir" ? layers.upper_dir : layers.work_dir) = *path;
    } else if (key == "datadir+") {
      return fail("overlay " + mount.mount_point + " has data-only layers, which moat-runc "
                  "cannot ID-map");
    } else if (key != "rw" && key != "ro" && !key.empty()) {
      layers.other_options.push_back(unescape_octal(option));
    }
  }
  if (layers.lower_dirs.empty() || layers.upper_dir.empty() || layers.work_dir.empty()) {
    return fail("overlay " + mount.mount_point +
                " lacks lower, upper or work layers in its mount options");
  }
  return layers;
}

}  // namespace moat::core::sys
