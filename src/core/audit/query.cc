#include "core/audit/query.h"

#include <algorithm>

#include "core/audit/log_files.h"

namespace moat::core::audit {
namespace {

// A single file is held in memory at a time; rotation keeps files small.
constexpr std::uint64_t kMaxFileBytes = 1ULL << 30;

// The records of one file, in order.
Result<std::vector<Record>, AuditError> read_records(const LogFile& file) {
  auto content = read_file(file.path, kMaxFileBytes);
  if (!content) return moat::unexpected(std::move(content).error());
  const Lines split = split_lines(*content);
  std::size_t complete = split.lines.size();
  if (!split.ends_with_newline) {
    if (file.index != 0) {
      return audit_fail(
          AuditErrc::kMalformedLine,
          file.name() + " line " + std::to_string(complete) + " is incomplete; run verify");
    }
    --complete;  // a write in progress
  }
  std::vector<Record> records;
  for (std::size_t i = 0; i < complete; ++i) {
    auto entry = parse_line(split.lines[i]);
    if (!entry) {
      return moat::unexpected(entry.error().with_context(file.name() + " line " +
                                                         std::to_string(i + 1) + " (run verify)"));
    }
    if (auto* record = std::get_if<Record>(&*entry)) records.push_back(std::move(*record));
  }
  return records;
}

}  // namespace

bool QueryFilter::matches(const Record& record) const {
  if (since && record.time < *since) return false;
  if (until && record.time >= *until) return false;
  if (caller_uid && (!record.caller || record.caller->uid != *caller_uid)) return false;
  if (container && record.container != *container) return false;
  if (rule && record.rule != *rule) return false;
  if (outcome && record.outcome != *outcome) return false;
  if (component && record.component != *component) return false;
  return true;
}

Result<std::vector<Record>, AuditError> query(const std::filesystem::path& dir,
                                              const QueryFilter& filter, std::size_t limit) {
  auto files = list_log_files(dir);
  if (!files) return moat::unexpected(std::move(files).error());
  std::vector<Record> found;
  for (const auto& file : *files) {
    if (found.size() >= limit) break;
    auto records = read_records(file);
    if (!records) return moat::unexpected(std::move(records).error());
    for (auto& record : *records) {
      if (found.size() >= limit) break;
      if (filter.matches(record)) found.push_back(std::move(record));
    }
  }
  return found;
}

Result<std::vector<Record>, AuditError> tail(const std::filesystem::path& dir, std::size_t count) {
  auto files = list_log_files(dir);
  if (!files) return moat::unexpected(std::move(files).error());
  std::vector<Record> newest_first;
  for (auto file = files->rbegin(); file != files->rend() && newest_first.size() < count; ++file) {
    auto records = read_records(*file);
    if (!records) return moat::unexpected(std::move(records).error());
    for (auto record = records->rbegin(); record != records->rend() && newest_first.size() < count;
         ++record) {
      newest_first.push_back(std::move(*record));
    }
  }
  std::reverse(newest_first.begin(), newest_first.end());
  return newest_first;
}

}  // namespace moat::core::audit
