#pragma once
// moatd's side of the audit log: every decision is written before it takes
// effect. When a record cannot be written, moat.audit.onWriteFailure decides:
// "refuse" (default) makes the caller refuse the request; "continue" lets it
// through and status warns loudly. Nothing is dropped silently either way.

#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/audit/audit_log.h"
#include "core/result/result.h"
#include "core/stack/layout.h"

namespace moat::moatd {

// What a refused caller reads when its decision could not be recorded.
inline constexpr const char* kAuditUnwritableMessage =
    "Moat refused this request: its audit log cannot be written (setting moat.audit.onWriteFailure is "
    "\"refuse\"); an admin must free space or repair the log";

class AuditSink {
 public:
  static Result<std::unique_ptr<AuditSink>> open(const core::stack::Layout& layout, bool refuse_on_failure,
                                                 std::uint64_t rotate_bytes);

  // False when the record could not be written and the policy is to refuse.
  bool record(core::audit::Record record);

  nlohmann::json status() const;

 private:
  explicit AuditSink(std::unique_ptr<core::audit::AuditLog> log, bool refuse_on_failure)
      : log_(std::move(log)), refuse_on_failure_(refuse_on_failure) {}

  std::unique_ptr<core::audit::AuditLog> log_;
  bool refuse_on_failure_;
  std::uint64_t failed_writes_ = 0;
  std::optional<std::string> last_error_;
};

}  // namespace moat::moatd
