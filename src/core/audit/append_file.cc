#include "core/audit/append_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <array>
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
  const CurrentLogFile file = file_as_stat_says(info);
  return AppendFile(std::move(fd), display_path, file.size, file.identity);
}

AppendFile AppendFile::adopt(UniqueFd fd, std::filesystem::path display_path, std::uint64_t size) {
  struct stat info {};
  FileIdentity identity;
  if (::fstat(fd.get(), &info) == 0) {
    identity = file_as_stat_says(info).identity;
  }
  return AppendFile(std::move(fd), std::move(display_path), size, identity);
}

Result<void, AuditError> AppendFile::append(std::string_view bytes) {
  return append(std::span<const std::string_view>(&bytes, 1));
}

Result<void, AuditError> AppendFile::append(std::span<const std::string_view> parts) {
  if (broken_) {
    return audit_fail(AuditErrc::kBroken,
                      path_.string() +
                          " is in an unknown state after an earlier failure; reopen the log so "
                          "its tail is verified");
  }
  std::size_t total = 0;
  for (const std::string_view part : parts) total += part.size();
  std::size_t done = 0;
  while (done < total) {
    // The parts from `done` on; at most two are ever passed (a ring's wrap).
    std::array<iovec, 4> vectors{};
    int count = 0;
    std::size_t skip = done;
    for (const std::string_view part : parts) {
      if (skip >= part.size()) {
        skip -= part.size();
        continue;
      }
      if (count == static_cast<int>(vectors.size())) break;
      vectors[static_cast<std::size_t>(count++)] = {const_cast<char*>(part.data() + skip), part.size() - skip};
      skip = 0;
    }
    const ssize_t wrote = ::writev(fd_.get(), vectors.data(), count);
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote < 0) {
      const int err = errno;
      auto error = io_error(err, "writing " + std::to_string(total) + " bytes to " + path_.string());
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
  size_ += total;
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
