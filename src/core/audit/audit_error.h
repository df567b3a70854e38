#pragma once
// Errors of the audit module. A code lets the caller tell "the disk is full"
// from "the log was tampered with" without parsing messages; sys_errno keeps
// the kernel's answer when a system call failed.

#include <string>
#include <system_error>
#include <utility>

#include "core/result/result.h"

namespace moat::core::audit {

enum class AuditErrc {
  kIo,                 // a system call failed; sys_errno says how
  kInvalidArgument,    // the caller passed something unusable
  kMalformedLine,      // a line is not a canonical audit entry
  kKey,                // a key file is unusable (missing, wrong type, unsafe owner or mode)
  kCrypto,             // OpenSSL refused an operation
  kTailDoesNotVerify,  // the existing log cannot be continued safely
  kRecordTooLarge,     // the serialised record exceeds kMaxLineBytes
  kLocked,             // another process is writing this log
  kClosed,             // append after close()
  kBroken,             // an earlier failure left the file in an unknown state
};

struct AuditError {
  AuditErrc code = AuditErrc::kIo;
  int sys_errno = 0;
  std::string message;

  // Adds the caller's context in front, like "rotating audit.log: <message>".
  AuditError with_context(const std::string& context) const {
    return AuditError{code, sys_errno, context + ": " + message};
  }
};

inline Unexpected<AuditError> audit_fail(AuditErrc code, std::string message) {
  return moat::unexpected(AuditError{code, 0, std::move(message)});
}

// "<what>: <strerror(err)>", keeping err. std::system_category().message is
// used instead of strerror because it is thread-safe.
inline AuditError io_error(int err, const std::string& what) {
  return AuditError{AuditErrc::kIo, err, what + ": " + std::system_category().message(err)};
}

}  // namespace moat::core::audit
