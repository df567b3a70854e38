#pragma once
// Every privileged kernel call moat-runc makes goes through this interface:
// creating the id-map user namespace, cloning and ID-mapping mounts,
// mounting the container's overlay, attaching and detaching mounts. The
// Linux implementation (linux_privileged_ops.cc) argues per operation why it
// is safe; a recording fake lets tests check the plan without privileges.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/result/result.h"
#include "runtime/idmap/id_range.h"

namespace moat::runtime::sys {

// Owns a file descriptor.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void reset();

 private:
  int fd_ = -1;
};

enum class NodeKind { kMissing, kDirectory, kRegularFile, kOther };

// An overlay whose layers are all ID-mapped through the container's range.
struct OverlayRequest {
  std::vector<std::string> lower_dirs;  // top layer first
  std::string upper_dir;                // the container's writable layer
  std::string work_dir;                 // same filesystem and parent as upper_dir
  idmap::IdRange range;
  int userns_fd = -1;                   // make_mapping_userns(range.mapping()), shared with the binds
};

class PrivilegedOps {
 public:
  virtual ~PrivilegedOps() = default;

  // What is at path (following symlinks), to choose between a directory and
  // a file mount point and to skip sockets and devices.
  virtual Result<NodeKind> node_kind(const std::string& path) = 0;
  // An empty directory or file to mount on; no-op if it already exists.
  virtual Result<void> make_mount_point(const std::string& path, NodeKind kind) = 0;
  // A user namespace in which nothing runs, with the given maps; only used
  // as the id map of mounts.
  virtual Result<UniqueFd> make_mapping_userns(const idmap::IdMapping& mapping) = 0;
  // A detached copy of the mount at path (with the mounts below it if
  // recursive), ID-mapped through userns_fd. Fails with the kernel's reason
  // if a filesystem in it cannot be ID-mapped.
  virtual Result<UniqueFd> clone_idmapped(const std::string& path, int userns_fd,
                                          bool recursive) = 0;
  // Mounts the overlay of `request` on target.
  virtual Result<void> mount_overlay(const OverlayRequest& request, const std::string& target) = 0;
  // Attaches a detached mount on target.
  virtual Result<void> attach(int mount_fd, const std::string& target) = 0;
  // Detaches the mount on target (lazily, like umount -l).
  virtual Result<void> unmount(const std::string& target) = 0;
  // Removes an empty directory or file moat-runc made as a mount point;
  // never recursive, so it cannot reach into a mount left behind.
  virtual Result<void> remove_mount_point(const std::string& path) = 0;
};

// The real kernel.
PrivilegedOps& linux_privileged_ops();

}  // namespace moat::runtime::sys
