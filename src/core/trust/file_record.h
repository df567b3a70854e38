#pragma once
// What the manifest says about one installed file, and how a file on disk is
// compared with it: content (SHA-256), owner, group and mode.

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "core/result/result.h"

namespace moat::core::trust {

struct FileRecord {
  std::string role;    // one of kRoles
  std::string path;    // absolute
  std::string sha256;  // 64 lowercase hex digits
  uid_t uid = 0;
  gid_t gid = 0;
  mode_t mode = 0;  // permission bits with set-id and sticky (07777)

  bool operator==(const FileRecord&) const = default;
};

// One way a file differs from its record, printed as "PATH: REASON".
struct Difference {
  std::string path;
  std::string reason;

  std::string line() const { return path + ": " + reason; }
  bool operator==(const Difference&) const = default;
};

// Moat's executables, which `moatctl up` starts, and the other files a
// manifest may hold.
inline constexpr const char* kMoatctl = "moatctl";
inline constexpr const char* kMoatd = "moatd";
inline constexpr const char* kMoatRunc = "moat-runc";
inline constexpr const char* kRuntimeWrapper = "runtime-wrapper";
inline constexpr const char* kAdminSettings = "admin-settings";
bool is_known_role(const std::string& role);
bool is_binary_role(const std::string& role);
const std::vector<std::string>& binary_roles();

// "0755"
std::string mode_text(mode_t mode);

// SHA-256 in lowercase hex, for content known before it is on disk: the
// audit chain's digest (core/audit/hash_chain.h), one routine for both.
std::string sha256_hex(std::string_view bytes);

// Reads and hashes the file at `path` through one descriptor, so the hash and
// the owner and mode belong to the same file. Symlinks are followed (an
// install may link a binary); the record keeps the path as given. The error
// is a Difference: "missing", "not a regular file" or "cannot be read: ...".
Result<FileRecord, Difference> observe_file(const std::string& role, const std::string& path);

// Every way the file at `path` differs from `expected` (content, owner,
// group, mode, in that order); empty when it matches. `path` is usually
// expected.path; `moatctl up` also compares the binaries it will run, which
// may sit elsewhere, with the recorded ones.
std::vector<Difference> compare_file(const FileRecord& expected, const std::string& path);

}  // namespace moat::core::trust
