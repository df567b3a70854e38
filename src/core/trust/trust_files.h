#pragma once
// Small file primitives the trust module needs: a bounded read that tells a
// missing file apart from an unreadable one, and an all-or-nothing write
// (temporary file, fsync, rename) so a crash never leaves half a manifest
// or half a signature for a later check to trip over.

#include <sys/types.h>

#include <cstddef>
#include <optional>
#include <string>

#include "core/result/result.h"

namespace moat::core::trust {

// nullopt when the file does not exist; an error when it cannot be read, is
// not a regular file or is larger than max_bytes. Symlinks are followed.
Result<std::optional<std::string>> read_optional_file(const std::string& path, std::size_t max_bytes);

// Replaces `path` with `bytes`, with exactly `mode` whatever the umask. With
// `owner`, the file is also chowned (root writing root's files).
struct Ownership {
  uid_t uid = 0;
  gid_t gid = 0;
};
Result<void> write_file_atomically(const std::string& path, const std::string& bytes, mode_t mode,
                                   std::optional<Ownership> owner = std::nullopt);

}  // namespace moat::core::trust
