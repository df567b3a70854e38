#include "runtime/rootfs/prepare.h"

#include <algorithm>
#include <filesystem>
#include <optional>

#include "core/sys/mountinfo.h"

namespace moat::runtime::rootfs {
namespace {

using nlohmann::json;

std::string parent_of(const std::string& path) {
  const auto slash = path.find_last_of('/');
  return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

bool has_option(const json& mount, std::string_view option) {
  if (!mount.contains("options") || !mount["options"].is_array()) {
    return false;
  }
  return std::any_of(mount["options"].begin(), mount["options"].end(), [&](const json& o) {
    return o.is_string() && o.get<std::string>() == option;
  });
}

// A user namespace whose maps ID-mapped mounts use, made when the first
// mount needs it: each one costs a helper process.
class MappingNamespace {
 public:
  MappingNamespace(sys::PrivilegedOps& ops, idmap::IdMapping mapping) : ops_(ops), mapping_(std::move(mapping)) {}

  Result<int> fd() {
    if (!ns_) {
      auto made = ops_.make_mapping_userns(mapping_);
      if (!made) {
        return unexpected(made.error());
      }
      ns_ = std::move(*made);
    }
    return ns_->get();
  }

 private:
  sys::PrivilegedOps& ops_;
  idmap::IdMapping mapping_;
  std::optional<sys::UniqueFd> ns_;
};

// Whom container root writes host directories as, looked up at the first
// one: most containers bind none, and the lookup reads the engine's record.
class HostBindOwner {
 public:
  HostBindOwner(sys::PrivilegedOps& ops, const idmap::IdRange& range, const OwnerFinder& find)
      : ops_(ops), range_(range), find_(find) {}

  // The namespace that maps the owner's uid and gid onto container root, or
  // nullptr when host directories are written as the container's own range.
  MappingNamespace* ns(std::vector<std::string>& notes) {
    if (!looked_up_) {
      looked_up_ = true;
      idmap::OwnerLookup found = find_ ? find_() : idmap::OwnerLookup{};
      if (!found.note.empty()) {
        notes.push_back("host bind mounts written as the container's own id range: " + found.note);
      }
      if (found.owner) {
        owner_ = *found.owner;
        ns_.emplace(ops_, idmap::owner_mapping(*found.owner, range_.host_base));
      }
    }
    return ns_ ? &*ns_ : nullptr;
  }
  const core::trust::ContainerOwner& owner() const { return owner_; }

 private:
  sys::PrivilegedOps& ops_;
  idmap::IdRange range_;
  const OwnerFinder& find_;
  bool looked_up_ = false;
  core::trust::ContainerOwner owner_;
  std::optional<MappingNamespace> ns_;
};

Result<void> prepare_root(sys::PrivilegedOps& ops, MappingNamespace& ns, const std::string& root,
                          const idmap::IdRange& range, const ContainerPaths& paths,
                          const std::vector<core::sys::MountInfoEntry>& mounts, Prepared& out) {
  if (auto made = ops.make_mount_point(paths.rootfs(), sys::NodeKind::kDirectory); !made) {
    return made;
  }
  const auto mount = core::sys::mount_at(mounts, root);
  if (mount && mount->fs_type == "overlay") {
    // The engine mounts <home>/<layer>/merged; relative layer paths are
    // relative to <home>.
    auto layers = core::sys::overlay_layers(*mount, parent_of(parent_of(root)));
    if (!layers) {
      return unexpected(layers.error().with_context("reading the root overlay"));
    }
    auto ns_fd = ns.fd();
    if (!ns_fd) {
      return unexpected(ns_fd.error());
    }
    sys::OverlayRequest request{layers->lower_dirs, layers->upper_dir,
                                parent_of(layers->upper_dir) + "/" + std::string(kWorkDirName),
                                range, *ns_fd};
    if (auto mounted = ops.mount_overlay(request, paths.rootfs()); !mounted) {
      return unexpected(mounted.error().with_context("mounting the ID-mapped root overlay"));
    }
  } else {
    auto ns_fd = ns.fd();
    if (!ns_fd) {
      return unexpected(ns_fd.error());
    }
    auto tree = ops.clone_idmapped(root, *ns_fd, true);
    if (!tree) {
      return unexpected(tree.error().with_context("ID-mapping the root directory"));
    }
    if (auto attached = ops.attach(tree->get(), paths.rootfs()); !attached) {
      return attached;
    }
  }
  out.rootfs = paths.rootfs();
  return {};
}

bool inside(const std::string& path, const std::string& root) {
  if (root.empty()) return false;
  std::error_code ec;
  const auto real = std::filesystem::weakly_canonical(path, ec);
  const auto base = std::filesystem::weakly_canonical(root, ec);
  const auto rel = real.lexically_relative(base);
  return !ec && !rel.empty() && *rel.begin() != ".." && rel != ".";
}

// Something mounted at or below the source that the host also shows
// elsewhere (a local volume with o=bind, or a filesystem mounted on the
// host too): its files are not the engine's own storage, so an ID-mapped
// clone would let container root write there as host root. A filesystem
// only mounted there (a tmpfs volume) is the volume's own; moat-runc's
// clones of it for other containers (under `clones_dir`) do not count.
bool shows_host_files(const std::string& source, const std::vector<core::sys::MountInfoEntry>& mounts,
                      const std::string& clones_dir) {
  std::error_code ec;
  const auto real = std::filesystem::weakly_canonical(source, ec);
  const std::string path = ec ? source : real.string();
  const auto below = [](const std::string& dir, const std::string& p) {
    return p == dir || p.starts_with(dir + "/");
  };
  for (const core::sys::MountInfoEntry& here : mounts) {
    if (!below(path, here.mount_point)) continue;
    if (here.root != "/") return true;  // a directory of a bigger filesystem
    for (const core::sys::MountInfoEntry& other : mounts) {
      if (other.device == here.device && !below(path, other.mount_point) &&
          !below(clones_dir, other.mount_point)) {
        return true;
      }
    }
  }
  return false;
}

Result<void> prepare_binds(sys::PrivilegedOps& ops, MappingNamespace& range_ns, HostBindOwner& host_owner,
                           const json& config, const ContainerPaths& paths,
                           const std::string& engine_data_root,
                           const std::vector<core::sys::MountInfoEntry>& host_mounts, Prepared& out) {
  if (!config.contains("mounts") || !config["mounts"].is_array()) {
    return {};
  }
  const json& mounts = config["mounts"];
  bool binds_dir_made = false;
  for (std::size_t i = 0; i < mounts.size(); ++i) {
    const json& m = mounts[i];
    if (!is_bind_mount(m) || !m.contains("source") || !m["source"].is_string()) {
      continue;
    }
    const std::string source = m["source"].get<std::string>();
    const std::string destination = m.contains("destination") && m["destination"].is_string()
                                        ? m["destination"].get<std::string>()
                                        : std::string("?");
    const bool host_path = !inside(source, engine_data_root);
    MappingNamespace* ns = host_path ? host_owner.ns(out.notes) : &range_ns;
    if (ns == nullptr) {
      out.notes.push_back("bind " + source + " -> " + destination +
                          " not ID-mapped: a host path, written as the container's own id range");
      continue;
    }
    if (!host_path && shows_host_files(source, host_mounts, parent_of(paths.dir))) {
      out.notes.push_back("bind " + source + " -> " + destination +
                          " not ID-mapped: a mount of host files sits there, written as the "
                          "container's own id range");
      continue;
    }
    auto kind = ops.node_kind(source);
    if (!kind) {
      return unexpected(kind.error());
    }
    if (*kind != sys::NodeKind::kDirectory && *kind != sys::NodeKind::kRegularFile) {
      out.notes.push_back("bind " + source + " -> " + destination +
                          " kept as is: not a file or directory");
      continue;
    }
    if (!binds_dir_made) {
      if (auto made = ops.make_mount_point(paths.binds(), sys::NodeKind::kDirectory); !made) {
        return made;
      }
      binds_dir_made = true;
    }
    auto ns_fd = ns->fd();
    if (!ns_fd) {
      return unexpected(ns_fd.error());
    }
    auto tree = ops.clone_idmapped(source, *ns_fd, has_option(m, "rbind"));
    if (!tree) {
      out.notes.push_back("bind " + source + " -> " + destination +
                          " kept as is: " + tree.error().message);
      continue;
    }
    const std::string staged = paths.bind(i);
    if (auto made = ops.make_mount_point(staged, *kind); !made) {
      return made;
    }
    if (auto attached = ops.attach(tree->get(), staged); !attached) {
      return attached;
    }
    out.binds.emplace_back(i, staged);
    if (host_path) {
      out.notes.push_back("bind " + source + " -> " + destination + " written as its developer: host uid " +
                          std::to_string(host_owner.owner().uid) + " and gid " +
                          std::to_string(host_owner.owner().gid) + " are root in the container");
    }
  }
  return {};
}

}  // namespace

ContainerPaths container_paths(const std::string& state_dir, const std::string& container_id) {
  return ContainerPaths{state_dir + "/containers/" + container_id};
}

bool is_bind_mount(const json& mount) {
  if (!mount.is_object()) {
    return false;
  }
  if (mount.contains("type") && mount["type"].is_string() &&
      mount["type"].get<std::string>() == "bind") {
    return true;
  }
  return has_option(mount, "bind") || has_option(mount, "rbind");
}

Result<Prepared> prepare(sys::PrivilegedOps& ops, const json& config, const std::string& bundle,
                         const idmap::IdRange& range, const ContainerPaths& paths,
                         std::string_view mountinfo, const std::string& engine_data_root,
                         const OwnerFinder& find_owner) {
  if (!config.contains("root") || !config["root"].is_object() ||
      !config["root"].contains("path") || !config["root"]["path"].is_string()) {
    return fail("config.json has no root.path");
  }
  std::string root = config["root"]["path"].get<std::string>();
  if (root.empty()) {
    return fail("config.json has an empty root.path");
  }
  if (root.front() != '/') {
    root = bundle + "/" + root;
  }
  while (root.size() > 1 && root.back() == '/') {
    root.pop_back();
  }
  if (auto made = ops.make_mount_point(parent_of(paths.dir), sys::NodeKind::kDirectory); !made) {
    return unexpected(made.error());
  }
  if (auto made = ops.make_mount_point(paths.dir, sys::NodeKind::kDirectory); !made) {
    return unexpected(made.error());
  }
  Prepared out;
  const auto mounts = core::sys::parse_mountinfo(mountinfo);
  MappingNamespace ns(ops, range.mapping());
  HostBindOwner host_owner(ops, range, find_owner);
  if (auto r = prepare_root(ops, ns, root, range, paths, mounts, out); !r) {
    return unexpected(r.error());
  }
  if (auto r = prepare_binds(ops, ns, host_owner, config, paths, engine_data_root, mounts, out); !r) {
    return unexpected(r.error());
  }
  return out;
}

json apply_prepared(const json& config, const Prepared& prepared) {
  json out = config;
  out["root"]["path"] = prepared.rootfs;
  for (const auto& [index, source] : prepared.binds) {
    out["mounts"][index]["source"] = source;
  }
  return out;
}

Result<void> teardown(sys::PrivilegedOps& ops, const ContainerPaths& paths,
                      const std::function<Result<std::string>()>& read_mountinfo) {
  auto before = read_mountinfo();
  if (!before) {
    return unexpected(before.error());
  }
  for (const std::string& target : core::sys::mounts_under(core::sys::parse_mountinfo(*before), paths.dir)) {
    if (auto r = ops.unmount(target); !r) {
      return r;
    }
  }
  auto after = read_mountinfo();
  if (!after) {
    return unexpected(after.error());
  }
  const auto left = core::sys::mounts_under(core::sys::parse_mountinfo(*after), paths.dir);
  if (!left.empty()) {
    return fail("mounts remain under " + paths.dir + " (first: " + left.front() +
                "); its mount points are kept");
  }
  std::vector<std::string> to_remove;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(paths.binds(), ec)) {
    to_remove.push_back(entry.path().string());
  }
  to_remove.push_back(paths.binds());
  to_remove.push_back(paths.rootfs());
  to_remove.push_back(paths.record_temporary());
  to_remove.push_back(paths.record());
  to_remove.push_back(paths.dir);
  for (const std::string& path : to_remove) {
    if (auto r = ops.remove_mount_point(path); !r) {
      return r;
    }
  }
  return {};
}

}  // namespace moat::runtime::rootfs
