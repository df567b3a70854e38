#include "core/settings/file_trust.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace moat::core::settings {
namespace {

std::string octal_mode(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777U));
  return buf;
}

// Checks `path` and each of its ancestors, without following the last link.
Result<void> check_chain(const std::filesystem::path& path) {
  std::filesystem::path prefix;
  for (const auto& part : path) {
    prefix /= part;
    struct stat st {};
    if (::lstat(prefix.c_str(), &st) != 0) {
      return fail(prefix.string() + ": " + std::strerror(errno));
    }
    if (st.st_uid != 0) {
      return fail(prefix.string() + " is owned by uid " + std::to_string(st.st_uid) + ", not root");
    }
    if (S_ISLNK(st.st_mode)) continue;  // a link's own mode means nothing; its target is checked
    const bool sticky_dir = S_ISDIR(st.st_mode) && (st.st_mode & S_ISVTX) != 0;
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0 && !sticky_dir) {
      return fail(prefix.string() + " is writable by group or others (mode " +
                  octal_mode(st.st_mode) + ")");
    }
  }
  return {};
}

}  // namespace

Result<std::string> read_trusted_file(const std::string& path) {
  const auto refuse = [&](const std::string& why) {
    return fail(path + ": refused as tampered: " + why);
  };
  const std::filesystem::path given = std::filesystem::absolute(path);
  char resolved_buf[PATH_MAX];
  if (::realpath(given.c_str(), resolved_buf) == nullptr) {
    return fail(path + ": cannot read: " + std::strerror(errno));
  }
  const std::filesystem::path resolved(resolved_buf);
  if (const auto r = check_chain(given); !r) return refuse(r.error().message);
  if (resolved != given) {
    if (const auto r = check_chain(resolved); !r) {
      return refuse("it resolves to " + resolved.string() + ", and " + r.error().message);
    }
  }
  // Read through a descriptor of the checked file, so it cannot be swapped
  // between the check and the read.
  const int fd = ::open(resolved.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return fail(path + ": cannot read: " + std::strerror(errno));
  struct stat st {};
  std::string contents;
  bool ok = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == 0 &&
            (st.st_mode & (S_IWGRP | S_IWOTH)) == 0;
  if (ok) {
    char buf[65536];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0) contents.append(buf, static_cast<std::size_t>(n));
    ok = n == 0;
  }
  ::close(fd);
  if (!ok) return refuse(resolved.string() + " changed while it was read, or is not a regular file");
  return contents;
}

Result<void> check_trusted_directory(const std::string& path) {
  const std::filesystem::path given = std::filesystem::absolute(path);
  char resolved_buf[PATH_MAX];
  if (::realpath(given.c_str(), resolved_buf) == nullptr) {
    return fail(path + ": " + std::strerror(errno));
  }
  for (const auto& p : {given, std::filesystem::path(resolved_buf)}) {
    if (const auto r = check_chain(p); !r) return fail(path + ": refused as tampered: " + r.error().message);
  }
  return {};
}

}  // namespace moat::core::settings
