#include "runtime/spec/protected_mounts.h"

#include <sys/stat.h>

#include <filesystem>
#include <optional>

#include "core/json/strict_json.h"
#include "core/sys/read_file.h"
#include "core/sys/mountinfo.h"

namespace moat::runtime::spec {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

bool is_bind(const json& mount) {
  if (mount.value("type", "") == "bind") return true;
  if (!mount.contains("options") || !mount["options"].is_array()) return false;
  for (const auto& o : mount["options"]) {
    if (o == "bind" || o == "rbind") return true;
  }
  return false;
}

// a == b, or a is a directory above b.
bool same_or_above(const fs::path& a, const fs::path& b) {
  auto ai = a.begin();
  auto bi = b.begin();
  for (; ai != a.end(); ++ai, ++bi) {
    if (bi == b.end() || *ai != *bi) return false;
  }
  return true;
}

bool same_inode(const fs::path& a, const fs::path& b) {
  struct stat sa {};
  struct stat sb {};
  return ::stat(a.c_str(), &sa) == 0 && ::stat(b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev &&
         sa.st_ino == sb.st_ino;
}

fs::path resolved(const std::string& path) {
  std::error_code ec;
  const fs::path p = fs::weakly_canonical(path, ec);
  return ec ? fs::path(path).lexically_normal() : p;
}

// Whether source is the same directory as guarded or one above it, by
// inode: a bind mount of a whole filesystem (or of /) shows the same inodes
// under another name, which no path comparison sees.
bool shows_directory_above(const fs::path& source, const fs::path& guarded) {
  for (fs::path p = guarded;; p = p.parent_path()) {
    if (same_inode(source, p)) return true;
    if (p == p.root_path() || p.empty()) return false;
  }
}

std::optional<Refusal> reaches_protected(const std::string& given, const fs::path& source,
                                         const ProtectedPaths& protect) {
  for (const auto& p : protect.paths) {
    const fs::path guarded = resolved(p);
    const bool reaches = same_or_above(source, guarded) || same_or_above(guarded, source) ||
                         shows_directory_above(source, guarded);
    if (reaches) {
      const std::string named = given == source.string() ? given : given + " (" + source.string() + ")";
      return Refusal{"moat-runc: mount of " + named + " is refused: it reaches " + guarded.string() +
                     ", which no container may mount (Enhanced Container Isolation protects the "
                     "engine and Moat's own files)"};
    }
  }
  return std::nullopt;
}

// BuildKit's executor writes the resolv.conf and hosts files its build steps
// mount (hosts.<n> when a step has extra hosts) beside the steps' bundle
// directories. Only such a file is let through: a regular file of one link,
// so not a hard link to anything else.
bool is_build_step_file(const fs::path& source, const fs::path& data_root) {
  if (source.parent_path() != data_root / "buildkit" / "executor") return false;
  struct stat st {};
  return ::lstat(source.c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_nlink == 1;
}

}  // namespace

Result<ProtectedPaths> load_protected_paths(const std::string& state_dir) {
  const std::string file = state_dir + "/" + kProtectedPathsFile;
  const auto text = core::sys::read_file(file);
  if (!text) return fail(text.error().message + "; refusing to start containers without the protected path list");
  const auto doc = core::json::parse_strict(*text);
  if (!doc || !doc->value.is_object() || !doc->value.contains("paths") || !doc->value["paths"].is_array() ||
      !doc->value.contains("engineDataRoot") || !doc->value["engineDataRoot"].is_string()) {
    return fail(file + " is malformed; refusing to start containers without the protected path list");
  }
  // moatctl up always lists the engine's socket and Moat's own files; a
  // list without them, or with a path that names no fixed place, would
  // protect less than it says.
  const auto absolute = [](const std::string& path) { return path.starts_with('/'); };
  ProtectedPaths out;
  for (const auto& p : doc->value["paths"]) {
    if (!p.is_string() || !absolute(p.get<std::string>())) {
      return fail(file + " is malformed: paths must be absolute paths; refusing to start containers");
    }
    out.paths.push_back(p.get<std::string>());
  }
  if (out.paths.empty()) return fail(file + " lists no protected path; refusing to start containers");
  out.engine_data_root = doc->value["engineDataRoot"].get<std::string>();
  if (!absolute(out.engine_data_root)) {
    return fail(file + " is malformed: engineDataRoot must be an absolute path; refusing to start containers");
  }
  return out;
}

Result<void, Refusal> check_bind_sources(const json& config, const ProtectedPaths& protect,
                                         const std::string& container_id) {
  const auto mountinfo = core::sys::read_self_mountinfo();
  if (!mountinfo) {
    return unexpected(Refusal{"moat-runc: " + mountinfo.error().message +
                              "; refusing bind mounts it cannot see through"});
  }
  return check_bind_sources(config, protect, container_id, *mountinfo);
}

Result<void, Refusal> check_bind_sources(const json& config, const ProtectedPaths& protect,
                                         const std::string& container_id, std::string_view mountinfo) {
  if (!config.contains("mounts") || !config["mounts"].is_array()) return {};
  const auto mounts = core::sys::parse_mountinfo(mountinfo);
  const fs::path data_root = resolved(protect.engine_data_root);
  const fs::path own_files = data_root / "containers" / container_id;
  const fs::path volumes = data_root / "volumes";
  for (const auto& mount : config["mounts"]) {
    if (!is_bind(mount) || !mount.contains("source") || !mount["source"].is_string()) continue;
    const std::string given = mount["source"].get<std::string>();
    const fs::path source = resolved(given);
    // What a bind mount at the source really shows: a local volume with
    // o=bind is a host directory under a volume's name.
    // (A data root mounted on itself shows its own path: nothing new.)
    if (const auto origin = core::sys::bind_origin(mounts, source.string()); origin && *origin != source.string()) {
      if (auto refused = reaches_protected(given, fs::path(*origin), protect)) return unexpected(*refused);
    }
    // The engine's own per-container files and named volumes live in its
    // data root and are mounted into every container.
    if (same_or_above(own_files, source) && source != own_files) continue;
    if (is_build_step_file(source, data_root)) continue;
    if (same_or_above(volumes, source) && source != volumes && source.parent_path() != volumes) {
      // Unless the volume shows a whole filesystem holding a protected path.
      for (const auto& p : protect.paths) {
        if (shows_directory_above(source, resolved(p))) {
          return unexpected(*reaches_protected(given, source, ProtectedPaths{{p}, {}}));
        }
      }
      continue;
    }
    if (auto refused = reaches_protected(given, source, protect)) return unexpected(*refused);
  }
  return {};
}

}  // namespace moat::runtime::spec
