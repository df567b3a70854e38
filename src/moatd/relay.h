#pragma once
// Pass-through relay from the user socket to the engine socket, byte for
// byte. It stands in until the request guard replaces it, and keeps every
// docker command (streams, attach, exec -it) working meanwhile.

#include <memory>
#include <string>

#include <boost/asio/local/stream_protocol.hpp>

namespace moat::moatd {

void start_relay(boost::asio::local::stream_protocol::socket client, const std::string& engine_socket);

}  // namespace moat::moatd
