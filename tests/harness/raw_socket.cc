#include "harness/raw_socket.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/buffers_iterator.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

namespace moat::testing {

namespace asio = boost::asio;
using Socket = asio::local::stream_protocol::socket;

std::string raw_exchange(const std::string& socket_path, const std::string& bytes,
                         std::chrono::milliseconds timeout) {
  asio::io_context io;
  Socket socket(io);
  boost::system::error_code ec;
  socket.connect(asio::local::stream_protocol::endpoint(socket_path), ec);
  if (ec) return "connect failed: " + ec.message();
  asio::streambuf reply;
  asio::steady_timer timer(io, timeout);
  asio::async_write(socket, asio::buffer(bytes), [&](boost::system::error_code write_ec, std::size_t) {
    if (write_ec) return;
    socket.shutdown(Socket::shutdown_send, write_ec);
    asio::async_read(socket, reply, asio::transfer_all(), [&](boost::system::error_code, std::size_t) {
      timer.cancel();
    });
  });
  timer.async_wait([&](boost::system::error_code timer_ec) {
    if (!timer_ec) socket.close();
  });
  io.run();
  return {asio::buffers_begin(reply.data()), asio::buffers_end(reply.data())};
}

int http_status(const std::string& reply) {
  if (!reply.starts_with("HTTP/1.") || reply.size() < 12) return 0;
  return std::stoi(reply.substr(9, 3));
}

}  // namespace moat::testing
