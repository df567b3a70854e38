#pragma once
// The only filesystem access of the policy: resolving a host path the way the
// kernel will follow it, and telling which object a path names. Behind an
// interface so tests can model a host; the real one reads this host.

#include <sys/types.h>

#include <optional>
#include <string>

#include "core/result/result.h"

namespace moat::core::policy {

struct FileId {
  dev_t device = 0;
  ino_t inode = 0;

  bool operator==(const FileId&) const = default;
};

class HostFilesystem {
 public:
  virtual ~HostFilesystem() = default;

  // The absolute path with every symlink in its existing leading part
  // resolved and the rest normalised (std::filesystem::weakly_canonical).
  virtual Result<std::string> resolve(const std::string& path) const = 0;

  // Device and inode of what `path` names, following symlinks; nothing if it
  // does not exist or cannot be examined.
  virtual std::optional<FileId> identity(const std::string& path) const = 0;
};

// This host, as seen by the calling process (moatd: root in the host's mount
// namespace, where the engine resolves bind sources too).
const HostFilesystem& real_host_filesystem();

}  // namespace moat::core::policy
