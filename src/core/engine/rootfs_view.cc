#include "core/engine/rootfs_view.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>

#include "core/engine/container_record.h"
#include "core/sys/mountinfo.h"
#include "core/sys/read_file.h"

namespace moat::core::engine {
namespace {

std::string errno_text(int err) { return std::strerror(err); }

std::string parent_of(const std::string& path) {
  const auto slash = path.find_last_of('/');
  return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

// Closes on every path out.
class Fd {
 public:
  explicit Fd(long fd) : fd_(static_cast<int>(fd)) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }

 private:
  int fd_;
};

// The new mount API takes each lower layer on its own (lowerdir+), so the
// option string's page-size limit, which made the engine use short relative
// paths, does not apply. Called through syscall(2) as moat-runc does.
int fsconfig(int fd, unsigned cmd, const char* key, const char* value) {
  return static_cast<int>(::syscall(SYS_fsconfig, fd, cmd, key, value, 0));
}

// Linux 6.5's MOVE_MOUNT_BENEATH; Debian 12's headers predate it.
constexpr unsigned kMoveMountBeneath = 0x00000200;

}  // namespace

Result<std::optional<std::string>> rootfs_mount_point(const std::string& data_root, const std::string& container_id) {
  if (!is_engine_id(container_id)) return fail("\"" + container_id + "\" is not a full container id");
  const std::string layer_dir = data_root + "/image/overlay2/layerdb/mounts/" + container_id;
  struct stat st {};
  if (::lstat(layer_dir.c_str(), &st) != 0) {
    if (errno == ENOENT) return std::optional<std::string>();  // another driver, or the container is gone
    return fail("cannot read " + layer_dir + ": " + errno_text(errno));
  }
  auto text = sys::read_file(layer_dir + "/mount-id");
  if (!text) return unexpected(text.error());
  std::string_view mount_id = *text;
  while (!mount_id.empty() && (mount_id.back() == '\n' || mount_id.back() == ' ')) mount_id.remove_suffix(1);
  if (!is_engine_id(mount_id)) return fail(layer_dir + "/mount-id does not name a layer");
  return std::optional<std::string>(data_root + "/overlay2/" + std::string(mount_id) + "/merged");
}

Result<bool> remount_overlay_fresh(const std::string& mount_point) {
  auto text = sys::read_self_mountinfo();
  if (!text) return unexpected(text.error());
  const auto mount = sys::mount_at(sys::parse_mountinfo(*text), mount_point);
  if (!mount) return false;
  // The engine mounts <home>/<layer>/merged; relative layer paths are
  // relative to <home>.
  auto layers = sys::overlay_layers(*mount, parent_of(parent_of(mount_point)));
  if (!layers) return unexpected(layers.error());

  const Fd context(::syscall(SYS_fsopen, "overlay", FSOPEN_CLOEXEC));
  if (!context.valid()) return fail("cannot open an overlay filesystem context: " + errno_text(errno));
  const auto failed = [&context](const std::string& what) {
    std::string message = what + ": " + errno_text(errno);
    std::string log(4096, '\0');
    // The kernel's own account of a refused option says more than errno.
    if (const ssize_t n = ::read(context.get(), log.data(), log.size()); n > 0) {
      message += " (kernel: " + log.substr(0, static_cast<std::size_t>(n)) + ")";
    }
    return fail(message);
  };
  for (const std::string& lower : layers->lower_dirs) {
    if (fsconfig(context.get(), FSCONFIG_SET_STRING, "lowerdir+", lower.c_str()) != 0) {
      return failed("cannot add lower layer " + lower);
    }
  }
  if (fsconfig(context.get(), FSCONFIG_SET_STRING, "upperdir", layers->upper_dir.c_str()) != 0 ||
      fsconfig(context.get(), FSCONFIG_SET_STRING, "workdir", layers->work_dir.c_str()) != 0) {
    return failed("cannot set upper layer " + layers->upper_dir);
  }
  for (const std::string& option : layers->other_options) {
    const auto eq = option.find('=');
    const int rc = eq == std::string::npos
                       ? fsconfig(context.get(), FSCONFIG_SET_FLAG, option.c_str(), nullptr)
                       : fsconfig(context.get(), FSCONFIG_SET_STRING, option.substr(0, eq).c_str(),
                                  option.substr(eq + 1).c_str());
    if (rc != 0) return failed("cannot set overlay option " + option);
  }
  if (fsconfig(context.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr) != 0) {
    return failed("cannot create the overlay of " + mount_point);
  }
  const Fd fresh(::syscall(SYS_fsmount, context.get(), FSMOUNT_CLOEXEC, 0));
  if (!fresh.valid()) return failed("cannot make the overlay mount of " + mount_point);
  // The new mount goes beneath the old one first, so that a path lookup by
  // an engine operation under way at this moment (a second docker cp of the
  // same container, the engine starting it) finds one overlay or the other,
  // never the empty directory. The old mount goes lazily: an engine process
  // still working in it (a copy under way) keeps it until done.
  if (::syscall(SYS_move_mount, fresh.get(), "", AT_FDCWD, mount_point.c_str(),
                MOVE_MOUNT_F_EMPTY_PATH | kMoveMountBeneath) == 0) {
    if (::umount2(mount_point.c_str(), MNT_DETACH | UMOUNT_NOFOLLOW) != 0) {
      return fail("cannot unmount the engine's older overlay above the new one at " + mount_point + ": " +
                  errno_text(errno));
    }
    return true;
  }
  // EINVAL: the kernel will not mount beneath this mount (Linux 6.5 added the
  // flag; moat-runc's lowerdir+ by fd already needs a later kernel). Then
  // detached first and attached after, so lookups meanwhile find the empty
  // directory (rootfs_view.h).
  if (errno != EINVAL) {
    return fail("cannot attach the new overlay beneath the engine's at " + mount_point + ": " + errno_text(errno));
  }
  if (::umount2(mount_point.c_str(), MNT_DETACH | UMOUNT_NOFOLLOW) != 0) {
    return fail("cannot unmount the engine's overlay at " + mount_point + ": " + errno_text(errno));
  }
  if (::syscall(SYS_move_mount, fresh.get(), "", AT_FDCWD, mount_point.c_str(), MOVE_MOUNT_F_EMPTY_PATH) != 0) {
    return fail("cannot attach the new overlay at " + mount_point +
                " (the engine mounts it again at the container's next start): " + errno_text(errno));
  }
  return true;
}

}  // namespace moat::core::engine
