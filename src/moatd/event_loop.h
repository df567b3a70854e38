#pragma once
// moatd's event loop, kept running when one handler throws. An exception
// that leaves a handler would otherwise end io_context::run() and with it
// moatd, leaving every developer without the engine until an admin starts
// it again; nothing supervises moatd. The connection whose handler threw
// loses that step, so it may get no answer (it is closed once nothing else
// holds it); every other connection is served on.

#include <functional>
#include <string>

#include <boost/asio/io_context.hpp>

namespace moat::moatd {

// Runs `io` until it stops or runs out of work. Each exception that leaves a
// handler is given to `on_handler_failure` (its what(), or a placeholder for
// one that is not a std::exception), and the loop goes on.
void run_event_loop(boost::asio::io_context& io, const std::function<void(const std::string&)>& on_handler_failure);

}  // namespace moat::moatd
