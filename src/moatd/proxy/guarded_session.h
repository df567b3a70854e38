#pragma once
// GuardedSession: one per accepted developer connection. It reads each
// request with the strict parser, asks the judge, and forwards exactly the
// judged request (re-serialized) to the engine on one upstream connection
// per client connection; the engine's answer goes back byte for byte,
// streamed as it arrives. Refusals are answered in Docker's error shape.
//
// - Keep-alive: requests are served one after the other; a connection idle
//   (or dribbling a request) longer than idle_timeout is closed.
// - Streamed bodies (archives): the head is judged before any body byte is
//   read; a refused head is answered and the connection closed unread.
// - Expect: 100-continue is answered by the session itself, once the head
//   is accepted (streamed: allowed by the judge and the engine reachable;
//   buffered: the judge needs the body, so once the parser accepted the
//   head), never for a refused head.
// - attach / exec start / BuildKit session: after 101 (or dockerd's 200
//   raw-stream hijack without Upgrade) the connection becomes two raw
//   streams with half-close, moved with splice(2).
// - The engine unreachable or failing before any answer: 502 with
//   "the Docker engine is not reachable: ...". Failing mid-answer: the
//   client connection is closed, never left hanging.
// Everything runs on the socket's single-threaded io_context.

#include <cstddef>
#include <memory>

#include <boost/asio/local/stream_protocol.hpp>

#include "moatd/proxy/session_options.h"

namespace moat::moatd::proxy {

void start_guarded_session(boost::asio::local::stream_protocol::socket client,
                           std::shared_ptr<const SessionOptions> options);

// Sessions alive in this process (for status output and tests).
std::size_t live_guarded_sessions();
// Requests read and not yet fully answered (hijacked streams excluded):
// moatd waits for these to finish before it stops.
std::size_t guarded_requests_in_flight();

}  // namespace moat::moatd::proxy
