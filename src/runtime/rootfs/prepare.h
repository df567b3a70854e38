#pragma once
// Makes the container's files show their image ownership inside its user
// namespace, without copying or chowning anything:
//
// - rootfs: when the engine's root is an overlay, a second overlay is
//   mounted at <state>/containers/<id>/rootfs from ID-mapped clones of the
//   same lower layers and upper layer (with its own work directory next to
//   the engine's); any other root directory gets an ID-mapped clone there.
// - bind mounts of files and directories (the engine's /etc/hosts,
//   /etc/hostname, /etc/resolv.conf, volumes, -v paths) get ID-mapped clones
//   at <state>/containers/<id>/binds/<n>; sockets, devices and filesystems
//   that cannot be ID-mapped stay as they are (readable as "other").
//
// The config then points runc at those paths (apply_prepared). teardown
// detaches whatever is mounted under the container's directory and removes
// the empty mount points.

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result/result.h"
#include "runtime/idmap/container_owner.h"
#include "runtime/idmap/id_range.h"
#include "runtime/sys/privileged_ops.h"

namespace moat::runtime::rootfs {

// moat-runc writes a file whole under its name plus this suffix, then
// renames it into place; a crash in between leaves the temporary.
inline constexpr const char* kTemporarySuffix = ".moat-tmp";

struct ContainerPaths {
  std::string dir;  // <state>/containers/<id>

  std::string rootfs() const { return dir + "/rootfs"; }
  std::string binds() const { return dir + "/binds"; }
  std::string bind(std::size_t mount_index) const {
    return binds() + "/" + std::to_string(mount_index);
  }
  std::string record() const { return dir + "/record.json"; }
  std::string record_temporary() const { return record() + kTemporarySuffix; }
};

ContainerPaths container_paths(const std::string& state_dir, const std::string& container_id);

struct Prepared {
  std::string rootfs;                                         // new root.path
  std::vector<std::pair<std::size_t, std::string>> binds;    // mounts[index].source
  std::vector<std::string> notes;                             // what was left unmapped, and why
};

// The name of the work directory moat-runc adds beside the engine's upper
// layer.
inline constexpr std::string_view kWorkDirName = "moat-work";

// Whom host directories are written as (idmap/container_owner.h); called at
// most once, at the first host bind mount.
using OwnerFinder = std::function<idmap::OwnerLookup()>;

// Bind sources inside `engine_data_root` (the container's own files, named
// volumes) are ID-mapped so every container sees them with ids 0..65535.
// Host directories are ID-mapped only for a container with an owner (the
// developer who created it): that one uid and gid are container root there,
// so a build writes the developer's project as the developer, and no other
// file of the host is the container's to change. Without an owner they are
// not ID-mapped: container root writes there as its own unprivileged range.
// Either way it can never leave a root-owned or setuid-root file on the
// host (the classic escape of docker-group users). A source in the data
// root where a mount of host files sits (a local volume created with o=bind
// shows a host directory there) is not ID-mapped; a filesystem mounted only
// there (a tmpfs volume) is the volume's own and is ID-mapped.
Result<Prepared> prepare(sys::PrivilegedOps& ops, const nlohmann::json& config,
                         const std::string& bundle, const idmap::IdRange& range,
                         const ContainerPaths& paths, std::string_view mountinfo,
                         const std::string& engine_data_root, const OwnerFinder& find_owner);

// The config with root.path and the prepared bind sources replaced.
nlohmann::json apply_prepared(const nlohmann::json& config, const Prepared& prepared);

// Detaches every mount under paths.dir, then removes the mount points and
// the directory. Refuses to remove anything while a mount remains.
Result<void> teardown(sys::PrivilegedOps& ops, const ContainerPaths& paths,
                      const std::function<Result<std::string>()>& read_mountinfo);

// Whether a mount of the config is a bind mount.
bool is_bind_mount(const nlohmann::json& mount);

}  // namespace moat::runtime::rootfs
