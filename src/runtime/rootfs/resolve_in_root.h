#pragma once
// Where a path leads inside a root directory, as the kernel will resolve it
// once that directory is a container's root: symbolic links are followed
// inside the root (an absolute target starts again at the root), ".." never
// climbs above it, and the part of the path that does not exist yet (runc
// creates a missing working directory) is appended as written, normalised.
//
// The walk opens one component at a time with openat2(RESOLVE_IN_ROOT |
// RESOLVE_NO_MAGICLINKS) and follows symbolic links itself, so that a link
// whose target does not exist yet (`/work -> /proc/self/fd/7` in an image
// whose /proc is still an empty directory) is seen for where it points
// rather than passing as a missing directory. The existing part of the
// result is then opened once more without any symbolic link and read back
// from /proc/self/fd, so the answer is the kernel's, not the walk's.
//
// Before a container starts, its root is only the image: what the runtime
// will lay over it (bind mounts such as volumes, empty filesystems such as
// the tmpfs on /dev, the links runc makes in /dev) is described by a
// ContainerTree, so a link inside a volume, or /dev/fd, counts too.
//
// Fails closed: a symbolic link loop, a magic link of /proc (such as
// /proc/<pid>/cwd or /proc/<pid>/fd/<n>, which jump to an object instead of
// naming a path), or any error other than "does not exist" is an error that
// names the path and the reason.

#include <string>
#include <string_view>
#include <vector>

#include "core/result/result.h"

namespace moat::runtime::rootfs {

// As the kernel's MAXSYMLINKS: more links than this in one resolution is
// taken for a loop.
inline constexpr int kMaxSymlinks = 40;

// A mount the runtime makes over the root, in the order it makes them. Its
// destination is itself resolved in the tree as mounted so far, as runc
// does.
struct TreeMount {
  std::string destination;  // container path, as in the OCI config
  // The host file or directory a bind mount shows; empty for a filesystem
  // that starts empty (tmpfs, proc, sysfs, devpts, mqueue, cgroup).
  std::string bind_source;
};

// A symbolic link the runtime creates before the process starts.
struct TreeLink {
  std::string path;    // container path, e.g. "/dev/fd"
  std::string target;  // e.g. "/proc/self/fd"
};

struct ContainerTree {
  std::vector<TreeMount> mounts;
  std::vector<TreeLink> links;
};

// `path` is read from the root (a relative path as if it began with "/").
// The result is absolute within the root, without "." or ".." or "//".
// root_fd is an open directory (O_PATH is enough); it stays open.
Result<std::string> resolve_in_root(int root_fd, std::string_view path,
                                    const ContainerTree& tree = {});

// The same with the root given by its path on the host (for a running
// container, /proc/<pid>/root, whose mounts are all in place already).
Result<std::string> resolve_in_root(const std::string& root_dir, std::string_view path,
                                    const ContainerTree& tree = {});

}  // namespace moat::runtime::rootfs
