#pragma once
// What a guarded session needs from moatd: where the engine listens, who
// judges each request, which requests stream their body, and the limits
// that keep one connection from costing the others.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/result/result.h"
#include "moatd/audit_refusal.h"
#include "moatd/http/canonical_request.h"
#include "moatd/http/request_parser.h"
#include "moatd/peer_credentials.h"

namespace moat::moatd::proxy {

struct Verdict {
  bool allowed = false;  // fail closed: a default Verdict refuses
  int status = 403;      // used when refused; outside 400..599 becomes 403
  // Developer-facing reason; the docker CLI prints it after
  // "Error response from daemon: ".
  std::string message;
  // Set by the judge on an allowed read the engine answers from its own
  // state (core::policy::only_reads_engine_state): the session forwards it
  // at once and holds only the answer until the record is written. The
  // session clears it when it cannot work so (a streamed request, or no
  // hurry_records), and tells await_record which way it works.
  bool only_answer_waits = false;
};

// The refusal of a request whose judging threw: one text, whether moatd's
// guard or the session caught it.
inline Verdict unjudged_verdict(std::string_view cause) {
  return Verdict{false, 500,
                 "Moat refused this request: it could not judge it (" + std::string(cause) +
                     "); an admin should read moatd's log"};
}

// Called on the session's thread for every complete request (buffered body
// included) and for the head of every streamed request (body not read yet).
// The judge may rewrite the request (a canonical body); what it leaves is
// exactly what is forwarded.
using Judge = std::function<Verdict(http::CanonicalRequest& request, const PeerCredentials& peer)>;

// Called right after the judge, on the same thread: runs `then` once the
// decision is in the audit log, with true, or with false when it could not
// be written and the request must be refused (with
// SessionOptions::unrecorded). Lets decisions share one audit write. For a
// verdict with only_answer_waits, the write is not hurried: `then` runs when
// the session calls hurry_records, or earlier with a batch written
// meanwhile. The session keeps the verdict itself: a callback that carried
// it would cost every request one more allocation.
using AwaitRecord = std::function<void(bool only_answer_waits, std::function<void(bool recorded)> then)>;

// Which requests stream their body to the engine instead of buffering it
// for the judge (archives: images/load, build, PUT archive, import).
using StreamPredicate = std::function<bool(const http::CanonicalRequest& head)>;

// Looks at a streamed body on its way to the engine (the archive of PUT
// /containers/{id}/archive): pass() returns what of the bytes fed so far may
// go on now, or the refusal the client gets instead; the engine then sees
// the body cut short.
class BodyCheck {
 public:
  virtual ~BodyCheck() = default;
  virtual Result<std::string_view, Verdict> pass(std::string_view bytes, bool last) = 0;
};

// Called for the head of every streamed request the judge allowed; null:
// the body goes to the engine unread.
using BodyCheckFactory =
    std::function<std::unique_ptr<BodyCheck>(const http::CanonicalRequest& head, const PeerCredentials& peer)>;

// Told of every request the parser refuses before any judge could see it
// (malformed framing, path or headers), so that refusal is recorded too.
using MalformedObserver = std::function<void(const std::string& message, const PeerCredentials& peer)>;

struct SessionOptions {
  std::string engine_socket;
  Judge judge;  // empty: every request is refused
  AwaitRecord await_record;  // empty: the verdict takes effect at once
  // What the client gets instead when its request's record could not be written.
  Verdict unrecorded{false, 503, kAuditUnwritableMessage};
  // Has the records queued so far written (moatd: at once, within the call;
  // the session also works when it is later) and then runs their
  // await_record `then`s: a read's answer waits for that.
  std::function<void()> hurry_records;
  StreamPredicate stream_body;
  BodyCheckFactory check_body;  // may be empty
  MalformedObserver on_malformed;  // may be empty
  // Parser limits. Its own stream_body is ignored: the session installs
  // `stream_body` above through a wrapper that also notes the head.
  http::ParserOptions parser;

  // How long a connection may wait for (or dribble) its next request before
  // it is closed. Never applies once a request is forwarded: streamed
  // responses and hijacked streams may stay silent for hours.
  std::chrono::milliseconds idle_timeout = std::chrono::minutes(5);
  // Per direction, allocated only while a request is in flight. 256 KiB
  // keeps archive streams (docker cp, load) at the engine's own speed;
  // 64 KiB cost them a fifth.
  std::size_t buffer_bytes = 256 * 1024;
  // A body with a known length at least this long moves between the sockets
  // with splice(2), as does every hijacked stream.
  std::uint64_t splice_threshold = 64 * 1024;
  bool use_splice = true;
  std::size_t max_response_head_bytes = 1U << 20;
};

}  // namespace moat::moatd::proxy
