#pragma once
// moat-runc's audit records. moatd writes the machine's one audit log; this
// hands it each runtime decision over moatd's control socket, and the
// caller waits until it is written before anything depends on it. A
// container is created or an exec is let through only once its record is in
// the log: when it cannot be written (moatd not answering, the log full and
// moat.audit.onWriteFailure "refuse"), the caller refuses. Refusals and
// cleanups proceed either way; their record, if lost, is reported in the
// runtime's log instead, never dropped silently.

#include <optional>
#include <string>

#include "core/net/unix_http_client.h"
#include "core/result/result.h"

namespace moat::runtime {

struct RuntimeDecision {
  std::string container;
  std::string request;  // what was asked: "create <id>", "exec <id> ..."
  std::string rule;     // "runtime.create", "runtime.spec", ...
  std::string outcome;  // "allow", "deny", "error"
  std::string reason;
};

// A record handed to moatd, not yet known to be written: the caller works
// while moatd writes it, and asks before anything depends on it.
class PendingRecord {
 public:
  explicit PendingRecord(std::optional<core::net::PendingHttpRequest> request, std::string socket)
      : request_(std::move(request)), socket_(std::move(socket)) {}

  // Ok once moatd has written the record; the error says why not. Once only.
  Result<void> written();

 private:
  std::optional<core::net::PendingHttpRequest> request_;  // none: no audit
  std::string socket_;
};

class RuntimeAudit {
 public:
  // Empty socket: no audit (moat-runc run by hand, outside a Moat stack).
  explicit RuntimeAudit(std::string control_socket) : socket_(std::move(control_socket)) {}

  bool enabled() const { return !socket_.empty(); }

  // Hands the record to moatd without waiting for it to be written.
  PendingRecord send(const RuntimeDecision& decision) const;

 private:
  std::string socket_;
};

// The body moatd's POST /audit/runtime-records takes.
std::string runtime_record_body(const RuntimeDecision& decision);

}  // namespace moat::runtime
