#pragma once
// The only place the audit log writes bytes. Each append is one write(2)
// (more only if the kernel takes a part), and a failed or short write is cut
// back with ftruncate so the file never keeps half a line. If even that fails
// the file is marked broken and refuses further appends: its state is no
// longer known, and guessing would risk a silent gap.

#include <fcntl.h>
#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

#include "core/audit/audit_error.h"
#include "core/audit/staging_ring.h"
#include "core/audit/unique_fd.h"
#include "core/result/result.h"

namespace moat::core::audit {

class AppendFile {
 public:
  // Opens dir_fd/name for appending without following a symlink; with
  // create_new the file must not exist yet. mode is applied with fchmod so
  // the umask cannot widen or narrow it.
  static Result<AppendFile, AuditError> open(int dir_fd, const std::string& name,
                                             const std::filesystem::path& display_path, mode_t mode,
                                             bool create_new);
  // Takes over an already open descriptor (it may be any file type); size is
  // where a failed write is cut back to.
  static AppendFile adopt(UniqueFd fd, std::filesystem::path display_path, std::uint64_t size);

  Result<void, AuditError> append(std::string_view bytes);
  // The parts one after the other, as one append (one writev(2)).
  Result<void, AuditError> append(std::span<const std::string_view> parts);
  // fdatasync. A failure marks the file broken: after a failed fsync the
  // kernel may have dropped the dirty pages, so a retry proves nothing.
  Result<void, AuditError> sync();

  // A second descriptor of the same file, for syncing it without the
  // writer's lock (fdatasync covers the file, whichever descriptor asks).
  UniqueFd duplicate() const { return UniqueFd(::fcntl(fd_.get(), F_DUPFD_CLOEXEC, 0)); }

  std::uint64_t size() const { return size_; }
  // Which file this is (zeros for an adopted descriptor fstat refused).
  const FileIdentity& identity() const { return identity_; }
  bool broken() const { return broken_; }
  const std::filesystem::path& path() const { return path_; }

 private:
  AppendFile(UniqueFd fd, std::filesystem::path path, std::uint64_t size, FileIdentity identity)
      : fd_(std::move(fd)), path_(std::move(path)), size_(size), identity_(identity) {}

  UniqueFd fd_;
  std::filesystem::path path_;
  std::uint64_t size_ = 0;
  FileIdentity identity_;
  bool broken_ = false;
};

// fsync of a directory, so a rename or a new file survives a crash.
Result<void, AuditError> sync_directory(int dir_fd, const std::filesystem::path& display_path);

}  // namespace moat::core::audit
