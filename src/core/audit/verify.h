#pragma once
// Verifying a whole audit log: every file in order, every line parsed
// strictly, the hash chain followed across files, every checkpoint's
// signature and count checked. Stops at the first problem and says what kind
// it is, where, and why.
//
// What it cannot see: records after the last checkpoint may be cut or
// changed by whoever can write the log, since nothing signed covers them
// yet (report.unsigned_records says how many there are); and a log cut back
// to an earlier checkpoint looks complete unless a checkpoint state file
// (checkpoint_state.h) remembers a later one.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "core/audit/audit_error.h"
#include "core/audit/signing_key.h"
#include "core/result/result.h"

namespace moat::core::audit {

enum class ProblemKind {
  kMalformedLine,     // not a canonical entry, or an incomplete last line
  kChangedRecord,     // a line's bytes no longer match the prev of the line after it
  kRemovedRecord,     // seq numbers are missing
  kInsertedRecord,    // a line that was not written by the log (seq repeats, chain skips it)
  kReorderedRecords,  // lines are present but out of order
  kTruncatedTail,     // the log or a rotated file ends before a point it is known to reach
  kForgedCheckpoint,  // a checkpoint's signature does not verify
  kMissingFile,       // a rotated file is gone
};

std::string_view to_string(ProblemKind kind);

struct Problem {
  std::string file;      // file name in the directory ("audit.log.2"); the path for the state file
  std::size_t line = 0;  // 1-based; 0 when the problem is a missing file
  // The seq written on the reported line; for removed, missing or cut
  // records the first seq that is missing; for a malformed line the seq
  // that was expected there.
  std::uint64_t seq = 0;
  ProblemKind kind = ProblemKind::kMalformedLine;
  std::string message;
};

struct VerifyReport {
  bool ok = false;
  std::uint64_t records = 0;           // records verified (before the first problem)
  std::uint64_t checkpoints = 0;       // checkpoints verified
  std::size_t files = 0;               // log files found
  std::uint64_t last_seq = 0;          // seq of the last verified record
  std::uint64_t unsigned_records = 0;  // verified records after the last checkpoint
  std::optional<Problem> first_problem;
  // Write-behind (staging_ring.h): bytes of records that audit.staging holds
  // and audit.log does not yet (a running writer writes them within
  // milliseconds, a stopped one's successor when it starts), or why the
  // staging file cannot be used, which keeps the next writer from starting.
  std::uint64_t staged_bytes = 0;
  std::optional<std::string> staging_problem;
};

struct VerifyOptions {
  // The writer's checkpoint state file, if it keeps one: detects a log cut
  // back to an earlier checkpoint.
  std::optional<std::filesystem::path> state_file;
  // Each file is held in memory while it is checked.
  std::uint64_t max_file_bytes = 1ULL << 30;
};

// An error only when verification could not run (directory or file
// unreadable); a damaged log is a report with ok == false.
Result<VerifyReport, AuditError> verify(const std::filesystem::path& dir, const VerifyKey& key,
                                        const VerifyOptions& options = {});

}  // namespace moat::core::audit
