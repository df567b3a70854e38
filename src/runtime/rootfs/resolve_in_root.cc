#include "runtime/rootfs/resolve_in_root.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <deque>
#include <optional>
#include <vector>

#include "runtime/sys/privileged_ops.h"

namespace moat::runtime::rootfs {
namespace {

using sys::UniqueFd;

// glibc 2.36 (Debian 12) declares no openat2() wrapper, so the system call
// is made directly; struct open_how and the RESOLVE_* flags come from the
// kernel's own header.
int raw_openat2(int dir_fd, const std::string& path, int flags, std::uint64_t resolve) {
  open_how how{};
  how.flags = static_cast<__u64>(flags);
  how.resolve = static_cast<__u64>(resolve);
  for (int attempt = 0;; ++attempt) {
    const long fd = ::syscall(SYS_openat2, dir_fd, path.c_str(), &how, sizeof how);
    // RESOLVE_IN_ROOT answers EAGAIN when a rename elsewhere raced the
    // lookup; a few retries settle it, more would hide a livelock.
    if (fd < 0 && errno == EAGAIN && attempt < 8) {
      continue;
    }
    return static_cast<int>(fd);
  }
}

std::deque<std::string> components(std::string_view path) {
  std::deque<std::string> out;
  std::size_t pos = 0;
  while (pos <= path.size()) {
    std::size_t end = path.find('/', pos);
    if (end == std::string_view::npos) {
      end = path.size();
    }
    const std::string_view part = path.substr(pos, end - pos);
    if (!part.empty() && part != ".") {
      out.emplace_back(part);
    }
    pos = end + 1;
  }
  return out;
}

std::string join(const std::vector<std::string>& parts, std::size_t count) {
  std::string out;
  for (std::size_t i = 0; i < count && i < parts.size(); ++i) {
    out += '/';
    out += parts[i];
  }
  return out.empty() ? "/" : out;
}

// Lexical: "/a/./b/../c" -> "/a/c".
std::string lexical(std::string_view path) {
  std::vector<std::string> parts;
  for (std::string& part : components(path)) {
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else {
      parts.push_back(std::move(part));
    }
  }
  return join(parts, parts.size());
}

bool covers(const std::string& dir, const std::string& path) {
  return dir == "/" || path == dir || (path.starts_with(dir) && path[dir.size()] == '/');
}

std::string errno_text(int err) { return std::strerror(err); }

// The path the kernel gives for an open descriptor, in this process's view.
Result<std::string> fd_path(int fd) {
  const std::string link = "/proc/self/fd/" + std::to_string(fd);
  std::array<char, 4097> buffer{};
  const ssize_t n = ::readlink(link.c_str(), buffer.data(), buffer.size());
  if (n < 0) {
    return fail("cannot read " + link + ": " + errno_text(errno));
  }
  if (static_cast<std::size_t>(n) >= buffer.size()) {
    return fail(link + " names a path longer than PATH_MAX");
  }
  return std::string(buffer.data(), static_cast<std::size_t>(n));
}

// `path` relative to `dir` if it lies below it ("" for dir itself).
std::optional<std::string> strip_dir(const std::string& path, const std::string& dir) {
  if (dir == "/") {
    return path == "/" ? std::string() : path.substr(1);
  }
  if (path == dir) {
    return std::string();
  }
  if (path.starts_with(dir + "/")) {
    return path.substr(dir.size() + 1);
  }
  return std::nullopt;
}

// A mount of the tree with its destination resolved.
struct Mounted {
  std::string destination;  // link-free container path
  UniqueFd source;          // invalid: a filesystem that starts empty
};

struct Tree {
  int root_fd = -1;
  std::vector<Mounted> mounts;
  std::vector<TreeLink> links;  // paths lexically normalised
};

// What a link-free container path is, its last component not followed.
struct Lookup {
  // kMountPoint: no file yet, but a directory the runtime will mount on or
  // create for a mount below it.
  enum class Kind { kMissing, kLink, kPresent, kMountPoint } kind = Kind::kMissing;
  std::string target;  // kLink
};

class Walk {
 public:
  // Sees the first `visible_mounts` mounts of the tree, and its links only
  // with `with_links` (runc makes them after mounting).
  Walk(const Tree& tree, std::size_t visible_mounts, bool with_links, std::string_view requested)
      : tree_(tree),
        visible_mounts_(visible_mounts),
        with_links_(with_links),
        requested_(requested),
        pending_(components(requested)) {}

  Result<std::string> run() {
    int links = 0;
    while (!pending_.empty()) {
      const std::string part = std::move(pending_.front());
      pending_.pop_front();
      if (part == "..") {
        up();
        continue;
      }
      auto step = next(part, links);
      if (!step) {
        return unexpected(step.error());
      }
    }
    return confirmed();
  }

 private:
  // ".." of a link-free path is its parent; at the root it stays there.
  void up() {
    if (!parts_.empty()) {
      parts_.pop_back();
    }
    confirm_upto_ = std::min(confirm_upto_, parts_.size());
  }

  Error refused(const std::string& why) const { return Error{std::string(requested_) + ": " + why}; }

  // The last visible mount showing `path`, if any.
  const Mounted* cover(const std::string& path) const {
    const Mounted* found = nullptr;
    for (std::size_t i = 0; i < visible_mounts_ && i < tree_.mounts.size(); ++i) {
      if (covers(tree_.mounts[i].destination, path)) {
        found = &tree_.mounts[i];
      }
    }
    return found;
  }

  // Opens a link-free container path from the image root or the bind
  // source that shows it; -1 with errno set on failure. Never called for
  // a path an empty filesystem shows.
  int open_shown(const Mounted* mount, const std::string& path, int flags, std::uint64_t resolve) const {
    if (mount == nullptr) {
      return raw_openat2(tree_.root_fd, path, flags, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | resolve);
    }
    const auto rest = strip_dir(path, mount->destination);
    if (!rest || rest->empty()) {
      return ::fcntl(mount->source.get(), F_DUPFD_CLOEXEC, 0);
    }
    return raw_openat2(mount->source.get(), *rest, flags, RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | resolve);
  }

  // A magic link (/proc/<pid>/cwd, /proc/<pid>/fd/<n>, ...) jumps to an
  // object instead of naming a path, which RESOLVE_NO_MAGICLINKS refuses
  // with ELOOP even for one step from its own directory; procfs's plain
  // links (/proc/self, /proc/mounts -> self/mounts) name a relative path
  // below their directory, which that step allows.
  Result<bool> is_magic_link(const Mounted* mount, int link_fd, const std::string& path) const {
    struct statfs fs {};
    if (::fstatfs(link_fd, &fs) != 0) {
      return fail("cannot read the filesystem of " + path + ": " + errno_text(errno));
    }
    if (fs.f_type != PROC_SUPER_MAGIC) {
      return false;
    }
    const std::string parent = join(parts_, parts_.size());
    const UniqueFd dir(open_shown(mount, parent, O_PATH | O_DIRECTORY | O_CLOEXEC, RESOLVE_NO_SYMLINKS));
    if (!dir.valid()) {
      return fail("cannot open " + parent + ": " + errno_text(errno));
    }
    const std::string name = path.substr(path.find_last_of('/') + 1);
    const UniqueFd followed(
        raw_openat2(dir.get(), name, O_PATH | O_CLOEXEC, RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS));
    return !followed.valid() && errno == ELOOP;
  }

  // parts_ never holds a symbolic link, so only the last component of
  // `path` can be one; opening it with O_NOFOLLOW shows a link even when
  // its target does not exist.
  Result<Lookup> look(const std::string& path) const {
    auto found = look_in_base(path);
    if (found && found->kind == Lookup::Kind::kMissing && holds_mount_point(path)) {
      return Lookup{Lookup::Kind::kMountPoint, {}};
    }
    return found;
  }

  // Whether a visible mount's destination lies below path: runc creates the
  // directories on the way to it.
  bool holds_mount_point(const std::string& path) const {
    for (std::size_t i = 0; i < visible_mounts_ && i < tree_.mounts.size(); ++i) {
      if (covers(path, tree_.mounts[i].destination)) {
        return true;
      }
    }
    return false;
  }

  Result<Lookup> look_in_base(const std::string& path) const {
    if (with_links_) {
      for (const TreeLink& link : tree_.links) {
        if (link.path == path) {
          return Lookup{Lookup::Kind::kLink, link.target};
        }
      }
    }
    const Mounted* mount = cover(path);
    if (mount != nullptr && !mount->source.valid()) {
      // An empty filesystem: only its own mount point exists.
      return Lookup{path == mount->destination ? Lookup::Kind::kMountPoint : Lookup::Kind::kMissing, {}};
    }
    const UniqueFd fd(open_shown(mount, path, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0));
    if (!fd.valid()) {
      if (errno == ENOENT) {
        return Lookup{};
      }
      return unexpected(refused("cannot open " + path + " inside the root: " + errno_text(errno)));
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) {
      return unexpected(refused("cannot inspect " + path + ": " + errno_text(errno)));
    }
    if (!S_ISLNK(st.st_mode)) {
      return Lookup{Lookup::Kind::kPresent, {}};
    }
    auto magic = is_magic_link(mount, fd.get(), path);
    if (!magic) {
      return unexpected(refused(magic.error().message));
    }
    if (*magic) {
      return unexpected(refused("it leads to " + path +
                                ", a magic link of /proc that jumps to an open object instead of naming "
                                "a path (RESOLVE_NO_MAGICLINKS)"));
    }
    std::array<char, 4097> buffer{};
    const ssize_t n = ::readlinkat(fd.get(), "", buffer.data(), buffer.size());
    if (n < 0) {
      // procfs's /proc/self leads nowhere for a process outside the
      // container's pid namespace: it is named as written.
      if (errno == ENOENT) {
        return Lookup{};
      }
      return unexpected(refused("cannot read the symbolic link " + path + ": " + errno_text(errno)));
    }
    if (n == 0 || static_cast<std::size_t>(n) >= buffer.size()) {
      return unexpected(refused("the symbolic link " + path + " is empty or longer than PATH_MAX"));
    }
    return Lookup{Lookup::Kind::kLink, std::string(buffer.data(), static_cast<std::size_t>(n))};
  }

  Result<void> next(const std::string& part, int& links) {
    std::vector<std::string> next_parts = parts_;
    next_parts.push_back(part);
    const std::string path = join(next_parts, next_parts.size());
    auto found = look(path);
    if (!found) {
      return unexpected(found.error());
    }
    switch (found->kind) {
      case Lookup::Kind::kMissing:
      case Lookup::Kind::kMountPoint:
        parts_.push_back(part);
        return {};
      case Lookup::Kind::kPresent:
        parts_.push_back(part);
        confirm_upto_ = parts_.size();
        return {};
      case Lookup::Kind::kLink:
        break;
    }
    if (++links > kMaxSymlinks) {
      return unexpected(refused("resolving it passes through more than " + std::to_string(kMaxSymlinks) +
                                " symbolic links (a symbolic link loop, last at " + path + ")"));
    }
    if (found->target.front() == '/') {
      parts_.clear();
      confirm_upto_ = 0;
    }
    auto more = components(found->target);
    pending_.insert(pending_.begin(), more.begin(), more.end());
    return {};
  }

  // Opens the part last seen as a file once more with no symbolic link allowed at all,
  // and takes the kernel's name for it: a link swapped in meanwhile fails
  // here instead of being trusted.
  Result<std::string> confirmed() const {
    const std::string walked = join(parts_, confirm_upto_);
    const Mounted* mount = cover(walked);
    if (mount != nullptr && (!mount->source.valid() || walked == mount->destination)) {
      return join(parts_, parts_.size());  // an empty filesystem, or the bind source itself
    }
    const UniqueFd fd(open_shown(mount, walked, O_PATH | O_CLOEXEC, RESOLVE_NO_SYMLINKS));
    if (!fd.valid()) {
      return unexpected(refused("cannot open " + walked + " inside the root again: " + errno_text(errno) +
                                " (it changed while it was resolved)"));
    }
    auto base_path = fd_path(mount == nullptr ? tree_.root_fd : mount->source.get());
    if (!base_path) {
      return unexpected(refused(base_path.error().message));
    }
    auto real = fd_path(fd.get());
    if (!real) {
      return unexpected(refused(real.error().message));
    }
    const auto below = strip_dir(*real, *base_path);
    if (!below) {
      return unexpected(refused(walked + " was opened at " + *real + ", outside " + *base_path));
    }
    const std::string base = mount == nullptr ? "/" : mount->destination;
    const std::string inside = below->empty() ? base : (base == "/" ? "" : base) + "/" + *below;
    if (inside != walked) {
      return unexpected(refused(walked + " is " + inside + " to the kernel (it changed while it was resolved)"));
    }
    return join(parts_, parts_.size());
  }

  const Tree& tree_;
  std::size_t visible_mounts_;
  bool with_links_;
  std::string_view requested_;
  std::deque<std::string> pending_;
  std::vector<std::string> parts_;  // the path so far, free of links, "." and ".."
  std::size_t confirm_upto_ = 0;  // parts_ up to here were last seen as files
};

}  // namespace

Result<std::string> resolve_in_root(int root_fd, std::string_view path, const ContainerTree& tree) {
  Tree mounted;
  mounted.root_fd = root_fd;
  for (const TreeLink& link : tree.links) {
    mounted.links.push_back(TreeLink{lexical(link.path), link.target});
  }
  // Each destination lies where the mounts before it put it, as when runc
  // mounts them in order.
  for (const TreeMount& mount : tree.mounts) {
    auto destination = Walk(mounted, mounted.mounts.size(), false, mount.destination).run();
    if (!destination) {
      return fail("mount destination " + destination.error().message);
    }
    UniqueFd source;
    if (!mount.bind_source.empty()) {
      source = UniqueFd(::open(mount.bind_source.c_str(), O_PATH | O_CLOEXEC));
      if (!source.valid()) {
        return fail("cannot open " + mount.bind_source + ", the bind source of " + mount.destination + ": " +
                    errno_text(errno));
      }
    }
    mounted.mounts.push_back(Mounted{*destination, std::move(source)});
  }
  return Walk(mounted, mounted.mounts.size(), true, path).run();
}

Result<std::string> resolve_in_root(const std::string& root_dir, std::string_view path,
                                    const ContainerTree& tree) {
  const UniqueFd root(::open(root_dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root.valid()) {
    return fail("cannot open the root directory " + root_dir + ": " + errno_text(errno));
  }
  return resolve_in_root(root.get(), path, tree);
}

}  // namespace moat::runtime::rootfs
