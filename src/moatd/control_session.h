#pragma once
// One connection to the control socket: a single HTTP request for the
// control API, answered and closed. Who asks is the kernel's word
// (SO_PEERCRED), never the request's.

#include <chrono>

#include <boost/asio/local/stream_protocol.hpp>

#include "moatd/control_api.h"

namespace moat::moatd {

void start_control_session(boost::asio::local::stream_protocol::socket socket, ControlApi& api);

// Audit reads run on threads of their own that post their answer to the
// event loop; the loop must outlive them. False when `limit` passed first.
bool wait_for_audit_readers(std::chrono::milliseconds limit);

}  // namespace moat::moatd
