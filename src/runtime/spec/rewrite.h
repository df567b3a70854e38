#pragma once
// The OCI spec rules of Enhanced Container Isolation, as pure functions from
// the config.json the engine wrote (and the container's id range) to the
// config runc gets, or a refusal that names what was refused and why.
//
// - The container gets its own user namespace mapping container ids
//   0..65535 onto its exclusive host range, even if the engine asked for
//   none (`--userns=host`) or for its own remapping.
// - pid, network, ipc, uts and mount namespaces must be the container's own:
//   a spec without one of them (it would share the host's) or joining one by
//   path (the host's or another container's) is refused. A missing cgroup
//   namespace is added rather than refused, since on cgroup v1 the engine
//   never asks for one.
// - A working directory inside /proc/self, /proc/thread-self or /proc/<pid>
//   is refused (leaked-fd escapes such as CVE-2024-21626): here by its
//   text; moat-runc applies the same rule (check_working_directory) to the
//   path it resolves to inside the container's root.
// - Capabilities the host's bounding set lacks are left out (runc would
//   otherwise fail with "unable to apply caps"), and so are device nodes
//   outside a short list of harmless ones (`--privileged` lists every host
//   device); both are reported.
// - Sysctls whose values name ids are kept inside the container's range.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result/result.h"
#include "runtime/idmap/id_range.h"

namespace moat::runtime::spec {

struct Refusal {
  std::string message;  // starts with "moat-runc: "
};

// Tells whether a namespace file (e.g. /var/run/docker/netns/default) is the
// host's own namespace of that type, to word the refusal; any namespace path
// is refused either way.
using HostNamespaceCheck = std::function<bool(std::string_view type, const std::string& path)>;

struct RewriteInput {
  idmap::IdRange range;
  std::uint64_t host_capabilities = 0;  // bounding set mask, bit n = capability n
  HostNamespaceCheck is_host_namespace;
};

struct RewriteReport {
  std::vector<std::string> dropped_capabilities;  // in kernel order, each once
  std::vector<std::string> dropped_devices;       // "/dev/sda (b 8:0)"
  std::vector<std::string> notes;                 // other changes, one line each
};

struct RewriteOutput {
  nlohmann::json config;
  RewriteReport report;
};

// The whole config.json of `create`/`run`.
Result<RewriteOutput, Refusal> rewrite_config(const nlohmann::json& config,
                                              const RewriteInput& input);

// The process.json of `exec --process`: working directory and capabilities.
Result<RewriteOutput, Refusal> rewrite_process(const nlohmann::json& process,
                                               std::uint64_t host_capabilities);

// Refuses a working directory when its path as written, or `resolved`
// (where it leads once symbolic links are followed inside the container's
// root), falls under core::policy::is_process_directory_path, the predicate
// moatd's rule uses too; a refusal for the resolved path names both. The text check passes the normalised text as `resolved`.
Result<void, Refusal> check_working_directory(const std::string& requested,
                                              const std::string& resolved);

// Lexically normalised absolute path ("/a/./b/../c" -> "/a/c"); exposed for
// tests.
std::string normalize_path(std::string_view path);

}  // namespace moat::runtime::spec
