#pragma once
// The checkpoint state file: a copy of the newest checkpoint line, replaced
// atomically each time the writer signs one.
//
// Why: signatures prove that what is in the log was written by the key
// holder, but not that nothing was cut off the end. Someone who can write the
// log can truncate it back to an earlier checkpoint and the remainder still
// verifies. With the newest checkpoint also held elsewhere, verify() and the
// writer (on reopen) notice that the log ends before a checkpoint that was
// signed. The file is signed content, so it cannot be forged, only rolled
// back; it protects against truncation as far as it is out of reach of
// whoever can truncate the log. Keep it on a different filesystem or ship it
// off the host; beside the log it still catches a plain `truncate` or an
// editor that drops the last lines. Records written after the newest
// checkpoint are never covered: that window is bounded by the checkpoint
// interval.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "core/audit/audit_error.h"
#include "core/audit/audit_record.h"
#include "core/result/result.h"

namespace moat::core::audit {

struct CheckpointState {
  Checkpoint checkpoint;
  std::string line_hash;  // sha256 of the checkpoint line: the log must hold the same bytes
};

// Writes "<line>\n" to "<path>.tmp", fsyncs it and renames it over path.
Result<void, AuditError> write_checkpoint_state(const std::filesystem::path& path,
                                                std::string_view checkpoint_line);

// nullopt when path does not exist. The signature is not checked here: a
// caller decides what a bad one means.
Result<std::optional<CheckpointState>, AuditError> read_checkpoint_state(
    const std::filesystem::path& path);

}  // namespace moat::core::audit
