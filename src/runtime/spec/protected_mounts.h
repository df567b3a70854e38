#pragma once
// The host paths no container may bind-mount, whatever name it gives them:
// the engine's sockets and state, Moat's state and settings. moatctl up
// writes the list into the runtime's state directory; moat-runc checks every
// bind source by the real path it resolves to and by inode, so a symlink, a
// parent directory or a hard link does not get around it. This is the last
// line behind moatd: it holds for requests that reached the engine directly.

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result/result.h"
#include "runtime/spec/rewrite.h"

namespace moat::runtime::spec {

struct ProtectedPaths {
  std::vector<std::string> paths;
  // The engine's data root: protected, except the container's own files
  // there (hosts, resolv.conf, shm), BuildKit's resolv.conf and hosts files
  // for build steps, and named volumes.
  std::string engine_data_root;
};

inline constexpr const char* kProtectedPathsFile = "protected-paths.json";

// Reads <state_dir>/protected-paths.json; missing or malformed is an error
// (fail closed: without the list no container starts).
Result<ProtectedPaths> load_protected_paths(const std::string& state_dir);

// Refuses the first bind mount whose source is, contains, or lies inside a
// protected path. A source on a bind mount (a local volume created with
// o=bind shows a host directory under the engine's volumes directory) is
// judged by the host directory it shows as well, which it reads from
// /proc/self/mountinfo; an unreadable mount table refuses.
Result<void, Refusal> check_bind_sources(const nlohmann::json& config, const ProtectedPaths& protect,
                                         const std::string& container_id);

// The same with the mount table given, for tests.
Result<void, Refusal> check_bind_sources(const nlohmann::json& config, const ProtectedPaths& protect,
                                         const std::string& container_id, std::string_view mountinfo);

}  // namespace moat::runtime::spec
