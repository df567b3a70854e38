#include "core/trust/trust_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "core/audit/unique_fd.h"

namespace moat::core::trust {
namespace {

using audit::UniqueFd;

std::string errno_text(int error) { return std::strerror(error); }

}  // namespace

Result<std::optional<std::string>> read_optional_file(const std::string& path, std::size_t max_bytes) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (!fd.valid()) {
    if (errno == ENOENT) return std::optional<std::string>{};
    return fail(path + ": cannot be read: " + errno_text(errno));
  }
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) return fail(path + ": cannot be read: " + errno_text(errno));
  if (!S_ISREG(info.st_mode)) return fail(path + ": not a regular file");
  std::string content;
  std::array<char, 16384> buffer{};
  for (;;) {
    const ssize_t got = ::read(fd.get(), buffer.data(), buffer.size());
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return fail(path + ": cannot be read: " + errno_text(errno));
    if (got == 0) break;
    content.append(buffer.data(), static_cast<std::size_t>(got));
    if (content.size() > max_bytes) {
      return fail(path + ": larger than " + std::to_string(max_bytes) + " bytes");
    }
  }
  return std::optional<std::string>(std::move(content));
}

Result<void> write_file_atomically(const std::string& path, const std::string& bytes, mode_t mode,
                                   std::optional<Ownership> owner) {
  const std::string tmp = path + ".new";
  ::unlink(tmp.c_str());
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd.valid()) return fail("creating " + tmp + ": " + errno_text(errno));
  const auto discard = [&tmp](const std::string& what) {
    const std::string reason = errno_text(errno);
    ::unlink(tmp.c_str());
    return fail(what + " " + tmp + ": " + reason);
  };
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t wrote = ::write(fd.get(), bytes.data() + done, bytes.size() - done);
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote < 0) return discard("writing");
    done += static_cast<std::size_t>(wrote);
  }
  if (owner && ::fchown(fd.get(), owner->uid, owner->gid) != 0) return discard("chown");
  // After the chown, which may clear set-id bits; the umask must not decide either.
  if (::fchmod(fd.get(), mode) != 0) return discard("chmod");
  if (::fsync(fd.get()) != 0) return discard("fsync");
  fd.reset();
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string reason = errno_text(errno);
    ::unlink(tmp.c_str());
    return fail("replacing " + path + ": " + reason);
  }
  return {};
}

}  // namespace moat::core::trust
