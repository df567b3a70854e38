#include "core/audit/log_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

#include "core/audit/unique_fd.h"

namespace moat::core::audit {
namespace {

Result<std::uint64_t, AuditError> open_regular(const std::filesystem::path& path, UniqueFd& fd) {
  if (fd.get() < 0) return moat::unexpected(io_error(errno, "opening " + path.string()));
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0)
    return moat::unexpected(io_error(errno, "stat " + path.string()));
  if (!S_ISREG(info.st_mode)) {
    return audit_fail(AuditErrc::kInvalidArgument, path.string() + " is not a regular file");
  }
  return static_cast<std::uint64_t>(info.st_size);
}

Result<std::string, AuditError> read_at(const UniqueFd& fd, const std::filesystem::path& path,
                                        std::uint64_t offset, std::uint64_t length) {
  std::string bytes(length, '\0');
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t got = ::pread(fd.get(), bytes.data() + done, bytes.size() - done,
                                static_cast<off_t>(offset + done));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return moat::unexpected(io_error(errno, "reading " + path.string()));
    if (got == 0) break;  // shrank while reading: keep what is there
    done += static_cast<std::size_t>(got);
  }
  bytes.resize(done);
  return bytes;
}

}  // namespace

std::optional<std::uint64_t> rotated_index(std::string_view file_name) {
  const std::string prefix = std::string(kCurrentFileName) + ".";
  if (!file_name.starts_with(prefix)) return std::nullopt;
  const std::string_view digits = file_name.substr(prefix.size());
  if (digits.empty() || digits.size() > 19 || digits.front() == '0') return std::nullopt;
  std::uint64_t index = 0;
  for (const char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    index = index * 10U + static_cast<std::uint64_t>(c - '0');
  }
  return index;
}

std::string rotated_name(std::uint64_t index) {
  return std::string(kCurrentFileName) + "." + std::to_string(index);
}

Result<std::vector<LogFile>, AuditError> list_log_files(const std::filesystem::path& dir) {
  std::vector<LogFile> rotated;
  std::optional<LogFile> current;
  std::error_code ec;
  std::filesystem::directory_iterator it(dir, ec);
  if (ec) {
    return moat::unexpected(io_error(ec.value(), "listing audit directory " + dir.string()));
  }
  for (; it != std::filesystem::directory_iterator(); it.increment(ec)) {
    if (ec) break;
    const std::string name = it->path().filename().string();
    if (name == kCurrentFileName) {
      current = LogFile{it->path(), 0};
    } else if (const auto index = rotated_index(name)) {
      rotated.push_back(LogFile{it->path(), *index});
    }
  }
  if (ec) {
    return moat::unexpected(io_error(ec.value(), "listing audit directory " + dir.string()));
  }
  std::sort(rotated.begin(), rotated.end(),
            [](const LogFile& a, const LogFile& b) { return a.index < b.index; });
  if (current) rotated.push_back(std::move(*current));
  return rotated;
}

Result<std::string, AuditError> read_file(const std::filesystem::path& path,
                                          std::uint64_t max_bytes) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  auto size = open_regular(path, fd);
  if (!size) return moat::unexpected(std::move(size).error());
  if (*size > max_bytes) {
    return audit_fail(AuditErrc::kInvalidArgument,
                      path.string() + " is " + std::to_string(*size) + " bytes, more than the " +
                          std::to_string(max_bytes) +
                          " this reader holds in memory; rotate the log by size");
  }
  return read_at(fd, path, 0, *size);
}

Result<FileTail, AuditError> read_file_tail(const std::filesystem::path& path,
                                            std::uint64_t max_bytes) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  auto size = open_regular(path, fd);
  if (!size) return moat::unexpected(std::move(size).error());
  FileTail tail;
  tail.size = *size;
  tail.offset = *size > max_bytes ? *size - max_bytes : 0;
  auto bytes = read_at(fd, path, tail.offset, *size - tail.offset);
  if (!bytes) return moat::unexpected(std::move(bytes).error());
  tail.bytes = std::move(*bytes);
  return tail;
}

Lines split_lines(std::string_view text) {
  Lines result;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) {
      result.lines.push_back(text.substr(start));
      result.ends_with_newline = false;
      break;
    }
    result.lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return result;
}

}  // namespace moat::core::audit
