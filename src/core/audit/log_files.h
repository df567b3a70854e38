#pragma once
// The files of one audit log directory. The current file is "audit.log";
// rotation renames it to "audit.log.<n>" with n one more than the highest
// existing number, so numbers grow with age reversed: audit.log.1 is the
// oldest. (Unlike logrotate's shifting scheme this needs a single atomic
// rename per rotation and never renames a file twice.) Reading order is
// audit.log.1, audit.log.2, ..., audit.log. Other names in the directory are
// ignored.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/audit/audit_error.h"
#include "core/result/result.h"

namespace moat::core::audit {

inline constexpr std::string_view kCurrentFileName = "audit.log";

struct LogFile {
  std::filesystem::path path;
  std::uint64_t index = 0;  // 0 for audit.log, n for audit.log.<n>
  std::string name() const { return path.filename().string(); }
};

// "audit.log.<n>" with n >= 1 written without leading zeros.
std::optional<std::uint64_t> rotated_index(std::string_view file_name);
std::string rotated_name(std::uint64_t index);

// Oldest first; audit.log (if present) last.
Result<std::vector<LogFile>, AuditError> list_log_files(const std::filesystem::path& dir);

// Reads a whole regular file (not following a final symlink). Refuses files
// larger than max_bytes instead of exhausting memory.
Result<std::string, AuditError> read_file(const std::filesystem::path& path,
                                          std::uint64_t max_bytes);

struct FileTail {
  std::string bytes;         // the last bytes of the file
  std::uint64_t offset = 0;  // where bytes start in the file
  std::uint64_t size = 0;    // the file's size
};
Result<FileTail, AuditError> read_file_tail(const std::filesystem::path& path,
                                            std::uint64_t max_bytes);

struct Lines {
  std::vector<std::string_view> lines;  // without their newlines
  bool ends_with_newline = true;        // false: the last line is incomplete
};
// An empty text has no lines.
Lines split_lines(std::string_view text);

}  // namespace moat::core::audit
