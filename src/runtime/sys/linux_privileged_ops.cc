// The kernel side of PrivilegedOps. moat-runc runs as root in the host's
// namespaces (the engine's shim starts it), so every call here acts with
// full privilege; each one says why what it does is safe.

#include <fcntl.h>
#include <linux/openat2.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

#include "runtime/sys/filesystem_identity.h"
#include "runtime/sys/privileged_ops.h"

namespace moat::runtime::sys {

void UniqueFd::reset() {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

namespace {

std::string errno_text(int err) { return std::strerror(err); }

// glibc 2.36 declares these, but calling the syscalls directly keeps the
// flags and structure exactly the kernel's.
int sys_open_tree(int dfd, const char* path, unsigned flags) {
  return static_cast<int>(::syscall(SYS_open_tree, dfd, path, flags));
}
int sys_mount_setattr(int dfd, const char* path, unsigned flags, struct mount_attr* attr) {
  return static_cast<int>(::syscall(SYS_mount_setattr, dfd, path, flags, attr, sizeof *attr));
}
int sys_move_mount(int from_dfd, const char* from, int to_dfd, const char* to, unsigned flags) {
  return static_cast<int>(::syscall(SYS_move_mount, from_dfd, from, to_dfd, to, flags));
}
int sys_fsopen(const char* fs, unsigned flags) {
  return static_cast<int>(::syscall(SYS_fsopen, fs, flags));
}
int sys_fsconfig(int fd, unsigned cmd, const char* key, const void* value, int aux) {
  return static_cast<int>(::syscall(SYS_fsconfig, fd, cmd, key, value, aux));
}
int sys_fsmount(int fd, unsigned flags, unsigned attrs) {
  return static_cast<int>(::syscall(SYS_fsmount, fd, flags, attrs));
}
int sys_openat2(int dfd, const char* path, const struct open_how* how) {
  return static_cast<int>(::syscall(SYS_openat2, dfd, path, how, sizeof *how));
}

bool write_all(int fd, const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return false;
    }
    done += static_cast<std::size_t>(n);
  }
  return true;
}

std::string read_all(int fd) {
  std::string out;
  char buf[512];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return out;
    }
    out.append(buf, static_cast<std::size_t>(n));
  }
}

int wait_child(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      return -1;
    }
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string parent_of(const std::string& path) {
  const auto slash = path.find_last_of('/');
  return slash == 0 ? "/" : path.substr(0, slash);
}
std::string base_of(const std::string& path) { return path.substr(path.find_last_of('/') + 1); }

// The deepest directory that holds every one of `paths` (absolute, without
// "." or ".." components, as overlay mount options give them).
std::string common_directory(const std::vector<std::string>& paths) {
  std::string common = parent_of(paths.front());
  for (const std::string& path : paths) {
    while (common != "/" && path.compare(0, common.size() + 1, common + "/") != 0) {
      common = parent_of(common);
    }
  }
  return common;
}

// A volatile overlay leaves work/incompat/volatile/dirty (a file on 6.x
// kernels, a directory on the first ones) in its work directory, and the
// kernel refuses every later overlay on that work directory while it is
// there (the upper layer may have lost writes in a crash). Ours is cleared
// before each mount: the engine's own overlay on the same upper layer is not
// volatile but never syncs before its unmount either, so after a crash the
// engine goes on with that upper layer as it is, and so do we.
Result<void> clear_volatile_marker(const std::string& work_dir) {
  const UniqueFd work(::open(work_dir.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!work.valid()) {
    return fail("cannot open " + work_dir + ": " + errno_text(errno));
  }
  struct open_how how {};
  how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV;
  // Deepest first: each step removes one name from the directory holding it.
  struct Step {
    const char* parent;
    const char* name;
  };
  for (const Step step : {Step{"work/incompat/volatile", "dirty"}, Step{"work/incompat", "volatile"},
                          Step{"work", "incompat"}}) {
    const UniqueFd parent(sys_openat2(work.get(), step.parent, &how));
    if (!parent.valid()) {
      if (errno == ENOENT) continue;
      return fail("cannot open " + work_dir + "/" + step.parent + ": " + errno_text(errno));
    }
    const bool removed = ::unlinkat(parent.get(), step.name, AT_REMOVEDIR) == 0 ||
                         (errno == ENOTDIR && ::unlinkat(parent.get(), step.name, 0) == 0);
    if (!removed && errno != ENOENT) {
      return fail("cannot remove the volatile overlay marker " + work_dir + "/" + step.parent + "/" + step.name +
                  ": " + errno_text(errno));
    }
  }
  return {};
}

// `path` opened beneath `tree` (a clone of `directory`), or an invalid fd
// when it is not there or is not the directory `path` names on the host:
// a clone holds one mount, so a layer on another mount would show the
// directory under it, which the inode comparison catches.
UniqueFd open_beneath(int tree, const std::string& directory, const std::string& path) {
  const std::string relative = directory == "/" ? path.substr(1) : path.substr(directory.size() + 1);
  struct open_how how {};
  how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV;
  UniqueFd fd(sys_openat2(tree, relative.c_str(), &how));
  struct stat in_tree {};
  struct stat on_host {};
  if (!fd.valid() || ::fstat(fd.get(), &in_tree) != 0 || ::stat(path.c_str(), &on_host) != 0 ||
      in_tree.st_dev != on_host.st_dev || in_tree.st_ino != on_host.st_ino) {
    return UniqueFd();
  }
  return fd;
}

struct HelperPipe {
  int read_end;
  int write_end;
};

// The mapping namespace's helper, on its own stack in moat-runc's memory:
// raw system calls only, as a CLONE_VM child must not touch the allocator
// or anything else its parent is using.
__attribute__((no_sanitize("address", "undefined"))) int wait_for_release(void* arg) {
  const auto* pipe = static_cast<const HelperPipe*>(arg);
  ::syscall(SYS_close, pipe->write_end);
  char b = 0;
  while (::syscall(SYS_read, pipe->read_end, &b, 1) < 0 && errno == EINTR) {
  }
  ::syscall(SYS_exit, 0);
  return 0;
}

class LinuxPrivilegedOps final : public PrivilegedOps {
 public:
  // Read-only inspection.
  Result<NodeKind> node_kind(const std::string& path) override {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
      if (errno == ENOENT) {
        return NodeKind::kMissing;
      }
      return fail("cannot inspect " + path + ": " + errno_text(errno));
    }
    if (S_ISDIR(st.st_mode)) {
      return NodeKind::kDirectory;
    }
    if (S_ISREG(st.st_mode)) {
      return NodeKind::kRegularFile;
    }
    return NodeKind::kOther;
  }

  // Safe: only called for paths inside moat-runc's own state directory,
  // which only root can write; O_EXCL/O_NOFOLLOW keep it from following a
  // planted link.
  Result<void> make_mount_point(const std::string& path, NodeKind kind) override {
    if (kind == NodeKind::kDirectory) {
      if (::mkdir(path.c_str(), 0711) != 0 && errno != EEXIST) {
        return fail("cannot create directory " + path + ": " + errno_text(errno));
      }
      struct stat st {};
      if (::lstat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
        return fail(path + " exists and is not a directory");
      }
      return {};
    }
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
      return fail("cannot create file " + path + ": " + errno_text(errno));
    }
    ::close(fd);
    return {};
  }

  // Safe: the new user namespace belongs to a short-lived child that does
  // nothing but wait; writing its maps gives no process any privilege, and
  // the namespace lives on only as the id map of mounts made from it.
  // The child is born in the namespace and shares moat-runc's memory
  // (CLONE_VM): no page tables are copied and no handshake is needed, which
  // made each create about 1 ms faster on a virtual machine than fork and
  // unshare. It waits for the pipe's last writer to go, so it also ends
  // when moat-runc dies.
  Result<UniqueFd> make_mapping_userns(const idmap::IdMapping& mapping) override {
    int release[2];
    if (::pipe2(release, O_CLOEXEC) != 0) {
      return fail("cannot make a pipe: " + errno_text(errno));
    }
    alignas(64) char helper_stack[16 * 1024];  // ours until wait_child below
    HelperPipe pipe{release[0], release[1]};
    const pid_t child = ::clone(wait_for_release, helper_stack + sizeof helper_stack,
                                CLONE_VM | CLONE_NEWUSER | SIGCHLD, &pipe);
    if (child < 0) {
      const int err = errno;
      ::close(release[0]);
      ::close(release[1]);
      return fail("cannot create a user namespace for the ID-mapped mounts: " + errno_text(err));
    }
    ::close(release[0]);
    std::string error;
    const std::string proc = "/proc/" + std::to_string(child) + "/";
    for (const auto& [file, line] : {std::pair{"uid_map", &mapping.uid_map}, std::pair{"gid_map", &mapping.gid_map}}) {
      const int fd = ::open((proc + file).c_str(), O_WRONLY | O_CLOEXEC);
      if (fd < 0 || !write_all(fd, *line)) {
        error = "cannot write " + proc + file + ": " + errno_text(errno);
      }
      if (fd >= 0) {
        ::close(fd);
      }
      if (!error.empty()) {
        break;
      }
    }
    UniqueFd ns;
    if (error.empty()) {
      ns = UniqueFd(::open((proc + "ns/user").c_str(), O_RDONLY | O_CLOEXEC));
      if (!ns.valid()) {
        error = "cannot open " + proc + "ns/user: " + errno_text(errno);
      }
    }
    ::close(release[1]);
    wait_child(child);
    if (!error.empty()) {
      return fail(error);
    }
    return ns;
  }

  // Safe: OPEN_TREE_CLONE makes a private, detached copy that is visible
  // nowhere until attached; ID-mapping it changes how that copy shows
  // owners, never the files on disk or any existing mount.
  Result<UniqueFd> clone_idmapped(const std::string& path, int userns_fd,
                                  bool recursive) override {
    const unsigned recursion = recursive ? AT_RECURSIVE : 0U;
    UniqueFd tree(
        sys_open_tree(AT_FDCWD, path.c_str(), OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | recursion));
    if (!tree.valid()) {
      return fail("cannot clone the mount at " + path + ": " + errno_text(errno));
    }
    struct mount_attr attr {};
    attr.attr_set = MOUNT_ATTR_IDMAP;
    attr.userns_fd = static_cast<__u64>(static_cast<unsigned int>(userns_fd));
    if (sys_mount_setattr(tree.get(), "", AT_EMPTY_PATH | recursion, &attr) != 0) {
      return fail("cannot ID-map " + path + ": " + errno_text(errno));
    }
    return tree;
  }

  struct IdmappedLayers {
    UniqueFd tree;  // the clone that upper and work (all, when shared) are in: kept open
    std::vector<UniqueFd> lowers;
    UniqueFd upper;
    UniqueFd work;
  };

  // Safe: as clone_idmapped. The engine keeps every layer of an image in one
  // directory (overlay2/), so one ID-mapped clone of that directory serves
  // them all: with a clone per layer, a 20-layer overlay cost 20 more clones
  // and ID-mappings, and runc's create on it took 8 ms longer than on the
  // engine's own. Layers that are not all beneath one mount get a clone each.
  Result<IdmappedLayers> idmapped_layers(const OverlayRequest& request, int userns_fd) {
    std::vector<std::string> paths = request.lower_dirs;
    paths.push_back(request.upper_dir);
    paths.push_back(request.work_dir);
    const std::string directory = common_directory(paths);
    auto tree = clone_idmapped(directory, userns_fd, false);
    if (tree) {
      IdmappedLayers layers;
      bool all_beneath = true;
      for (const std::string& lower : request.lower_dirs) {
        layers.lowers.push_back(open_beneath(tree->get(), directory, lower));
        all_beneath = all_beneath && layers.lowers.back().valid();
      }
      layers.upper = open_beneath(tree->get(), directory, request.upper_dir);
      layers.work = open_beneath(tree->get(), directory, request.work_dir);
      if (all_beneath && layers.upper.valid() && layers.work.valid()) {
        layers.tree = std::move(*tree);
        return layers;
      }
    }
    IdmappedLayers layers;
    for (const std::string& lower : request.lower_dirs) {
      auto fd = clone_idmapped(lower, userns_fd, false);
      if (!fd) {
        return unexpected(fd.error());
      }
      layers.lowers.push_back(std::move(*fd));
    }
    auto upper_tree = clone_idmapped(parent_of(request.upper_dir), userns_fd, false);
    if (!upper_tree) {
      return unexpected(upper_tree.error());
    }
    layers.upper = UniqueFd(::openat(upper_tree->get(), base_of(request.upper_dir).c_str(),
                                     O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW));
    layers.work = UniqueFd(::openat(upper_tree->get(), base_of(request.work_dir).c_str(),
                                    O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW));
    if (!layers.upper.valid() || !layers.work.valid()) {
      return fail("cannot open " + request.upper_dir + " or " + request.work_dir + ": " +
                  errno_text(errno));
    }
    layers.tree = std::move(*upper_tree);
    return layers;
  }

  // Safe: the overlay is built from ID-mapped clones of the layers the
  // engine already mounted for this container, and attached only inside
  // moat-runc's state directory. It is created with the container's root as
  // filesystem uid and gid, because overlayfs does its upper layer work with
  // its creator's credentials, and through an ID-mapped upper layer only ids
  // of the container's range can be written.
  Result<void> mount_overlay(const OverlayRequest& request, const std::string& target) override {
    if (parent_of(request.upper_dir) != parent_of(request.work_dir)) {
      return fail("the upper and work directories of an overlay must share a parent: " +
                  request.upper_dir + ", " + request.work_dir);
    }
    // The work directory is our own, next to the engine's: the engine's
    // overlay still uses its work directory, which a second overlay would
    // clear under it.
    if (::mkdir(request.work_dir.c_str(), 0700) != 0 && errno != EEXIST) {
      return fail("cannot create " + request.work_dir + ": " + errno_text(errno));
    }
    struct stat work_st {};
    if (::lstat(request.work_dir.c_str(), &work_st) != 0 || !S_ISDIR(work_st.st_mode)) {
      return fail(request.work_dir + " is not a directory");
    }
    if (auto cleared = clear_volatile_marker(request.work_dir); !cleared) {
      return cleared;
    }
    auto layers = idmapped_layers(request, request.userns_fd);
    if (!layers) {
      return unexpected(layers.error());
    }
    UniqueFd context;
    // What the kernel logged on the filesystem context says more than errno.
    const auto failed = [&context](const std::string& what, int err) {
      std::string message = what + ": " + errno_text(err);
      if (context.valid()) {
        if (const std::string log = read_all(context.get()); !log.empty()) message += " (kernel: " + log + ")";
      }
      return fail(message);
    };
    {
      auto identity = BorrowedFilesystemIdentity::take(request.range.host_base);
      if (!identity) {
        return unexpected(identity.error());
      }
      context = UniqueFd(sys_fsopen("overlay", FSOPEN_CLOEXEC));
      if (!context.valid()) {
        return failed("cannot open an overlay filesystem context", errno);
      }
      for (const UniqueFd& lower : layers->lowers) {
        if (sys_fsconfig(context.get(), FSCONFIG_SET_FD, "lowerdir+", nullptr, lower.get()) != 0) {
          return failed("cannot add an ID-mapped lower layer", errno);
        }
      }
      if (sys_fsconfig(context.get(), FSCONFIG_SET_FD, "upperdir", nullptr, layers->upper.get()) != 0 ||
          sys_fsconfig(context.get(), FSCONFIG_SET_FD, "workdir", nullptr, layers->work.get()) != 0) {
        return failed("cannot set the ID-mapped upper layer", errno);
      }
      // The engine's own overlay on the same upper layer stays mounted; an
      // inode index would make the kernel refuse the second mount.
      if (sys_fsconfig(context.get(), FSCONFIG_SET_STRING, "index", "off", 0) != 0) {
        return failed("cannot turn the overlay index off", errno);
      }
      // No sync of the upper filesystem at unmount: that sync wrote out the
      // whole host filesystem while runc deleted the container, and the
      // engine's own overlay on the same upper layer syncs it when the
      // engine unmounts it.
      if (sys_fsconfig(context.get(), FSCONFIG_SET_FLAG, "volatile", nullptr, 0) != 0) {
        return failed("cannot make the overlay volatile", errno);
      }
      if (sys_fsconfig(context.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) != 0) {
        return failed("cannot create the overlay", errno);
      }
    }
    const UniqueFd mount(sys_fsmount(context.get(), FSMOUNT_CLOEXEC, 0));
    if (!mount.valid()) {
      return failed("cannot make the overlay mount", errno);
    }
    if (sys_move_mount(mount.get(), "", AT_FDCWD, target.c_str(), MOVE_MOUNT_F_EMPTY_PATH) != 0) {
      return failed("cannot attach the overlay on " + target, errno);
    }
    return {};
  }

  // Safe: target is a mount point inside moat-runc's state directory.
  Result<void> attach(int mount_fd, const std::string& target) override {
    if (sys_move_mount(mount_fd, "", AT_FDCWD, target.c_str(), MOVE_MOUNT_F_EMPTY_PATH) != 0) {
      return fail("cannot attach a mount on " + target + ": " + errno_text(errno));
    }
    return {};
  }

  // Safe: only called for mounts found under moat-runc's own state
  // directory; UMOUNT_NOFOLLOW keeps a symlink from redirecting it.
  Result<void> unmount(const std::string& target) override {
    if (::umount2(target.c_str(), MNT_DETACH | UMOUNT_NOFOLLOW) != 0 && errno != EINVAL &&
        errno != ENOENT) {
      return fail("cannot unmount " + target + ": " + errno_text(errno));
    }
    return {};
  }

  // Safe: rmdir and unlink never recurse; on a mount point still in use they
  // fail with EBUSY instead of touching the mounted files.
  Result<void> remove_mount_point(const std::string& path) override {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) {
      return errno == ENOENT ? Result<void>() : fail("cannot inspect " + path + ": " +
                                                         errno_text(errno));
    }
    const int rc = S_ISDIR(st.st_mode) ? ::rmdir(path.c_str()) : ::unlink(path.c_str());
    if (rc != 0 && errno != ENOENT) {
      return fail("cannot remove " + path + ": " + errno_text(errno));
    }
    return {};
  }
};

}  // namespace

PrivilegedOps& linux_privileged_ops() {
  static LinuxPrivilegedOps ops;
  return ops;
}

}  // namespace moat::runtime::sys
