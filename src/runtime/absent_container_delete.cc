#include "runtime/absent_container_delete.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "runtime/moat_runc.h"
#include "runtime/sys/privileged_ops.h"

namespace moat::runtime {
namespace {

using oci_cli::Command;
using oci_cli::Invocation;

// The global options under which runc 1.1.5 reaches its not-exist answer
// and nothing else: --systemd-cgroup, a --rootless other than auto, an
// unknown --log-format, --debug's extra logging or a non-root caller each
// take other paths first, and go to runc.
bool runc_takes_the_plain_path(const oci_cli::GlobalOptions& global) {
  return !global.debug && !global.systemd_cgroup && global.rootless == "auto" && !global.help &&
         !global.version && (global.log_format == "text" || global.log_format == "json") &&
         ::geteuid() == 0;
}

bool is_directory(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode);
}

// Nothing at all under runc's root for the id, not even a dangling link:
// runc's state file then cannot be there, and the directory runc removes
// after failing to load the container does not exist either.
bool nothing_named(const std::string& root, const std::string& id) {
  struct stat info {};
  return ::lstat((root + "/" + id).c_str(), &info) != 0 && errno == ENOENT;
}

// runc opens its log file before any command runs (creating it, mode 0644
// less the umask) and fails if it cannot.
bool open_log_as_runc_does(const std::string& log) {
  if (log.empty()) return true;
  const sys::UniqueFd file(::open(log.c_str(), O_CREAT | O_WRONLY | O_APPEND | O_CLOEXEC, 0644));
  return file.valid();
}

}  // namespace

bool answered_forced_delete_of_absent_container(const Invocation& inv) {
  if (inv.command != Command::kDelete || inv.positionals.size() != 1 || !inv.flag_bool("force") ||
      inv.flag_bool("help") || !runc_takes_the_plain_path(inv.global)) {
    return false;
  }
  const std::string& id = inv.positionals.front();
  // runc's root must already exist: runc would create a missing one.
  if (!valid_container_id(id) || !is_directory(inv.global.root) || !nothing_named(inv.global.root, id)) {
    return false;
  }
  return open_log_as_runc_does(inv.global.log);
}

}  // namespace moat::runtime
