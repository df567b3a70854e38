#include "moatd/event_loop.h"

#include <exception>

namespace moat::moatd {

void run_event_loop(boost::asio::io_context& io, const std::function<void(const std::string&)>& on_handler_failure) {
  for (;;) {
    try {
      io.run();
      return;
    } catch (const std::exception& e) {
      on_handler_failure(e.what());
    } catch (...) {
      on_handler_failure("an exception that is not a std::exception");
    }
    // Asio lets run() be called again after a handler threw, without a
    // restart(); a stopped context returns from it at once.
    if (io.stopped()) return;
  }
}

}  // namespace moat::moatd
