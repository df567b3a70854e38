#pragma once
// The one text of a refusal because a decision could not be recorded: the
// audit sink, the control API and the guarded sessions all answer with it.

namespace moat::moatd {

inline constexpr const char* kAuditUnwritableMessage =
    "Moat refused this request: its audit log cannot be written (setting moat.audit.onWriteFailure is "
    "\"refuse\"); an admin must free space or repair the log";

}  // namespace moat::moatd
