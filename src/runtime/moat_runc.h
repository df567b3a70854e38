#pragma once
// moat-runc: an OCI runtime with runc's command line. `create` and `run`
// rewrite the bundle's config.json (spec rules), give the container an
// exclusive id range and an ID-mapped root, then let the system's runc do
// the rest; `exec` vets the process; `delete` undoes the mounts (while runc
// deletes, once the container's process has ended) and frees the range
// after runc, and answers a forced delete of a container neither holds as
// runc would (absent_container_delete.h); every other command goes to runc
// as is.

#include <span>
#include <string>

#include "runtime/sys/privileged_ops.h"

namespace moat::runtime {

inline constexpr const char* kDefaultStateDir = "/run/moat-runc";

struct RuntimeEnvironment {
  std::string runc_path;
  sys::PrivilegedOps* ops = nullptr;
};

// args excludes argv[0]; the result is the process exit status.
int run_moat_runc(std::span<const std::string> args, const RuntimeEnvironment& env);

// Container ids runc accepts, which also keeps them safe as one path
// component: letters, digits, and _ + , - . (not "." or "..").
bool valid_container_id(const std::string& id);

}  // namespace moat::runtime
