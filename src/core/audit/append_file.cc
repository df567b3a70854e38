#include "core/audit/append_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace moat::core::audit {

Result<AppendFile, AuditError> AppendFile::open(int dir_fd, const std::string& name,
                                                const std::filesystem::path& display_path,
                                                mode_t mode, bool create_new) {
  int flags = O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC;
  if (create_new) flags |= O_CREAT | O_EXCL;
  UniqueFd fd(::openat(dir_fd, name.c_str(), flags, mode));
  if (!fd.valid()) {
    return moat::unexpected(io_error(
        errno, std::string(create_new ? "creating " : "opening ") + display_path.string()));
  }
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) {
    return moat::unexpected(io_error(errno, "stat " + display_path.string()));
  }
  if (!S_ISREG(info.st_mode)) {
    return audit_fail(AuditErrc::kInvalidArgument,
                      display_path.string() + " is not a regular file; refusing to write to it");
  }
  if (create_new && ::fchmod(fd.get(), mode) != 0) {
    return moat::unexpected(io_error(errno, "chmod " + display_path.string()));
  }
  return AppendFile(std::move(fd), display_path, static_cast<std::uint64_t>(info.st_size));
}

AppendFile AppendFile::adopt(UniqueFd fd, std::filesystem::path display_path, std::uint64_t size) {
  return AppendFile(std::move(fd), std::move(display_path), size);
}

Result<void, AuditError> AppendFile::append(std::string_view bytes) {
  if (broken_) {
    return audit_fail(AuditErrc::kBroken,
                      path_.string() +
                          " is in an unknown state after an earlier failure; reopen the log so "
                          "its tail is verified");
  }
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t wrote = ::write(fd_.get(), bytes.data() + done, bytes.size() - done);
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote < 0) {
      const int err = errno;
      auto error =
          io_error(err, "writing " + std::to_string(bytes.size()) + " bytes to " + path_.string());
      if (done > 0 && ::ftruncate(fd_.get(), static_cast<off_t>(size_)) != 0) {
        broken_ = true;
        error.message += "; cutting the partial line back failed too (" +
                         std::system_category().message(errno) + "), so the file is broken";
        error.code = AuditErrc::kBroken;
      }
      return moat::unexpected(std::move(error));
    }
    done += static_cast<std::size_t>(wrote);
  }
  size_ += bytes.size();
  return {};
}

Result<void, AuditError> AppendFile::sync() {
  if (broken_) {
    return audit_fail(AuditErrc::kBroken, path_.string() + " is in an unknown state");
  }
  if (::fdatasync(fd_.get()) != 0) {
    broken_ = true;
    return moat::unexpected(io_error(errno, "fdatasync " + path_.string()));
  }
  return {};
}

Result<void, AuditError> sync_directory(int dir_fd, const std::filesystem::path& display_path) {
  if (::fsync(dir_fd) != 0) {
    return moat::unexpected(io_error(errno, "fsync directory " + display_path.string()));
  }
  return {};
}

}  // namespace moat::core::audit
