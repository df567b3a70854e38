#include "core/audit/checkpoint_state.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "core/audit/hash_chain.h"
#include "core/audit/log_files.h"
#include "core/audit/unique_fd.h"

namespace moat::core::audit {

Result<void, AuditError> write_checkpoint_state(const std::filesystem::path& path,
                                                std::string_view checkpoint_line) {
  std::filesystem::path temporary = path;
  temporary += ".tmp";
  UniqueFd fd(
      ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd.valid()) return moat::unexpected(io_error(errno, "creating " + temporary.string()));
  std::string bytes(checkpoint_line);
  bytes.push_back('\n');
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t wrote = ::write(fd.get(), bytes.data() + done, bytes.size() - done);
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote < 0) return moat::unexpected(io_error(errno, "writing " + temporary.string()));
    done += static_cast<std::size_t>(wrote);
  }
  if (::fsync(fd.get()) != 0)
    return moat::unexpected(io_error(errno, "fsync " + temporary.string()));
  fd.reset();
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    return moat::unexpected(
        io_error(errno, "renaming " + temporary.string() + " to " + path.string()));
  }
  const std::filesystem::path parent = path.has_parent_path() ? path.parent_path() : ".";
  UniqueFd dir(::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir.valid() || ::fsync(dir.get()) != 0) {
    return moat::unexpected(io_error(errno, "fsync directory " + parent.string()));
  }
  return {};
}

Result<std::optional<CheckpointState>, AuditError> read_checkpoint_state(
    const std::filesystem::path& path) {
  struct stat info {};
  if (::lstat(path.c_str(), &info) != 0 && errno == ENOENT) {
    return std::optional<CheckpointState>{};
  }
  auto content = read_file(path, kMaxLineBytes + 1);
  if (!content) return moat::unexpected(std::move(content).error());
  const auto split = split_lines(*content);
  if (split.lines.size() != 1 || !split.ends_with_newline) {
    return audit_fail(AuditErrc::kMalformedLine,
                      "checkpoint state " + path.string() + " must hold exactly one line");
  }
  auto entry = parse_line(split.lines.front());
  if (!entry) {
    return moat::unexpected(entry.error().with_context("checkpoint state " + path.string()));
  }
  if (!is_checkpoint(*entry)) {
    return audit_fail(AuditErrc::kMalformedLine,
                      "checkpoint state " + path.string() + " holds a record, not a checkpoint");
  }
  return std::optional<CheckpointState>{
      CheckpointState{std::get<Checkpoint>(*entry), sha256_hex(split.lines.front())}};
}

}  // namespace moat::core::audit
