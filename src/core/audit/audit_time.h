#pragma once
// Audit timestamps: RFC 3339 in UTC with exactly three fractional digits,
// e.g. "2026-08-01T12:34:56.789Z". One fixed shape so that a line has one
// canonical spelling and its hash cannot be changed without changing its
// meaning.

#include <chrono>
#include <string>
#include <string_view>

#include "core/audit/audit_error.h"
#include "core/result/result.h"

namespace moat::core::audit {

using Timestamp = std::chrono::sys_time<std::chrono::milliseconds>;

// Truncates to whole milliseconds (towards the past).
Timestamp to_timestamp(std::chrono::system_clock::time_point time);

// Years 0000..9999; outside that range the text would not parse back.
std::string format_time(Timestamp time);
// format_time's 24 bytes appended to `out`, without a string of their own.
void append_time(std::string& out, Timestamp time);

// Accepts only the exact shape format_time writes, with a real calendar date
// (no leap second 60, no offsets other than "Z", no lower-case letters).
Result<Timestamp, AuditError> parse_time(std::string_view text);

}  // namespace moat::core::audit
