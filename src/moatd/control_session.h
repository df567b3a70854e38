#pragma once
// One connection to the control socket: a single HTTP request for the
// control API, answered and closed. Who asks is the kernel's word
// (SO_PEERCRED), never the request's.

#include <boost/asio/local/stream_protocol.hpp>

#include "moatd/control_api.h"

namespace moat::moatd {

void start_control_session(boost::asio::local::stream_protocol::socket socket, ControlApi& api);

}  // namespace moat::moatd
