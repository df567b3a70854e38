#pragma once
// Reading records back: filtered queries and the newest records. These read;
// they do not verify the chain (use verify() for that). Every line is still
// parsed strictly, and a malformed line is an error, not something skipped.
// An incomplete last line of audit.log is left out: it may be a write in
// progress.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/audit/audit_error.h"
#include "core/audit/audit_record.h"
#include "core/result/result.h"

namespace moat::core::audit {

// Every set field must match.
struct QueryFilter {
  std::optional<Timestamp> since;  // inclusive
  std::optional<Timestamp> until;  // exclusive
  std::optional<std::uint32_t> caller_uid;
  std::optional<std::string> container;
  std::optional<std::string> rule;
  std::optional<Outcome> outcome;
  std::optional<Component> component;

  bool matches(const Record& record) const;
};

// Matching records, oldest first; at most `limit`.
Result<std::vector<Record>, AuditError> query(const std::filesystem::path& dir,
                                              const QueryFilter& filter,
                                              std::size_t limit = SIZE_MAX);

// The newest `count` records, oldest first. Reads files from the newest back
// only as far as needed.
Result<std::vector<Record>, AuditError> tail(const std::filesystem::path& dir, std::size_t count);

}  // namespace moat::core::audit
