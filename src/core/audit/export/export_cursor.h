#pragma once
// How far an audit log has been exported: the last entry the collector took.
// Entries are ordered by seq, and a checkpoint comes after the record with
// its seq, so (seq, checkpoint) names one position in the log.
//
// The cursor lives in a small JSON file, {"checkpoint":false,"seq":12},
// replaced atomically. It must belong to the exporting user and be writable
// by nobody else: whoever can move it back or forth decides what the
// collector sees again or never.

#include <compare>
#include <cstdint>
#include <filesystem>

#include "core/audit/audit_record.h"
#include "core/result/result.h"

namespace moat::core::audit::exporter {

struct ExportCursor {
  std::uint64_t seq = 0;  // 0: nothing exported yet
  bool checkpoint = false;
  auto operator<=>(const ExportCursor&) const = default;
};

ExportCursor position_of(const Entry& entry);

// A missing file is the start of the log.
Result<ExportCursor> read_cursor(const std::filesystem::path& file);
Result<void> write_cursor(const std::filesystem::path& file, ExportCursor cursor);

}  // namespace moat::core::audit::exporter
