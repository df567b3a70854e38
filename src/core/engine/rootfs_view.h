#pragma once
// The engine's mount of a running container's root filesystem, mounted
// again so that it shows the container's files as they are now.
//
// moat-runc runs each container on an overlay of its own, built from
// ID-mapped clones of the layers the engine mounted (runtime/rootfs/prepare.h),
// because an overlay cannot itself be ID-mapped. The kernel does not keep two
// overlays on one upper layer coherent: the engine's keeps what it looked up
// before the container changed it. docker cp then missed files the container
// made in a directory the engine had seen (its WORKDIR, /etc), read old
// contents of files the container changed, and failed with ESTALE on a path
// the container had removed; docker diff, export and commit missed changes
// too. A fresh mount of the same layers has nothing cached, so moatd mounts
// it just before the engine reads or writes a container's files.
//
// Docker Engine 20.10's overlay2 layout:
// <data-root>/image/overlay2/layerdb/mounts/<container id>/mount-id names
// <data-root>/overlay2/<mount id>, whose merged/ the engine mounts.

#include <optional>
#include <string>

#include "core/result/result.h"

namespace moat::core::engine {

// Where the engine mounts the container's root filesystem; nullopt when the
// engine does not keep it in overlay2 (another storage driver), which this
// does not apply to.
Result<std::optional<std::string>> rootfs_mount_point(const std::string& data_root, const std::string& container_id);

// Replaces the overlay mounted at `mount_point` with a new mount of the same
// layers and options. False when nothing is mounted there: the engine
// mounts it fresh itself when it needs it. The new mount goes in beneath
// the old one before that is detached, so a lookup meanwhile always finds
// an overlay there. Only where the kernel refuses to mount beneath it is the
// old one detached first, and lookups then fail until the new one is
// attached (milliseconds: the detach waits for an RCU grace period).
Result<bool> remount_overlay_fresh(const std::string& mount_point);

}  // namespace moat::core::engine
