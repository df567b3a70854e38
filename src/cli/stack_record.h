#pragma once
// What `moatctl up` started, so `down` and `status` act on exactly that.

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result/result.h"
#include "core/stack/layout.h"

namespace moat::cli {

struct StackRecord {
  pid_t dockerd = 0;
  pid_t moatd = 0;
  // When each started (core::sys::process_start_time), 0 when not known: a
  // pid alone may name another process once reused, after a reboot or when
  // the record is stale.
  std::uint64_t dockerd_started = 0;
  std::uint64_t moatd_started = 0;
  std::string admin_settings;
  std::string started_at;  // RFC 3339
  std::string runtime;     // the OCI runtime the engine was configured with
  bool eci_active = false;
  std::string eci_note;
  // moatd's egress filter on 127.0.0.1, the engine's proxy while
  // moat.registryAccess is on; kept across restarts of either process.
  int egress_port = 0;
  bool operator==(const StackRecord&) const = default;
};

// The file's text (JSON, one field a line).
std::string serialize_stack_record(const StackRecord& record);
// Strict: a JSON object of known fields, each of its type and range; a field
// left out keeps its default (records written by earlier versions lack some).
// The error names the field.
Result<StackRecord> parse_stack_record(std::string_view text);

// Nothing when no record exists (the stack never ran, or `down` removed it);
// an error when it cannot be read or is malformed. Callers then act on the
// stack's processes as found by their command lines, never on a guessed pid.
Result<std::optional<StackRecord>> read_stack_record(const core::stack::Layout& layout);
// The record for acting on: an empty one (no pid) when there is none or it
// cannot be used. The latter is said on stderr as "WHO: ignoring the stack's
// record (WHY)THEN", to root only: state/ is root's alone (0700), so nobody
// else can read it anyway.
StackRecord read_stack_record_or_empty(const core::stack::Layout& layout, std::string_view who,
                                       std::string_view then);
bool write_stack_record(const core::stack::Layout& layout, const StackRecord& record);

// Paths of the programs a stack runs: dockerd from Debian's docker.io, and
// Moat's own executables next to moatctl.
std::string dockerd_path();
std::string sibling_executable(const std::string& name);

}  // namespace moat::cli
