#include "moatd/relay.h"

#include <array>

#include <boost/asio/write.hpp>

namespace moat::moatd {
namespace {

using Socket = boost::asio::local::stream_protocol::socket;

class Relay : public std::enable_shared_from_this<Relay> {
 public:
  explicit Relay(Socket client) : client_(std::move(client)), engine_(client_.get_executor()) {}

  void start(const std::string& engine_socket) {
    boost::system::error_code ec;
    engine_.connect(boost::asio::local::stream_protocol::endpoint(engine_socket), ec);
    if (ec) {
      client_.close(ec);
      return;
    }
    pump(client_, engine_, up_);
    pump(engine_, client_, down_);
  }

 private:
  // Copies `from` to `to` until `from` ends, then half-closes `to` so the
  // other direction can still finish (hijacked streams rely on it).
  void pump(Socket& from, Socket& to, std::array<char, 65536>& buffer) {
    from.async_read_some(boost::asio::buffer(buffer), [self = shared_from_this(), &from, &to, &buffer](
                                                          boost::system::error_code ec, std::size_t n) {
      if (ec) {
        boost::system::error_code ignored;
        to.shutdown(Socket::shutdown_send, ignored);
        return;
      }
      boost::asio::async_write(to, boost::asio::buffer(buffer.data(), n),
                               [self, &from, &to, &buffer](boost::system::error_code wec, std::size_t) {
                                 if (wec) {
                                   boost::system::error_code ignored;
                                   from.close(ignored);
                                   to.close(ignored);
                                   return;
                                 }
                                 self->pump(from, to, buffer);
                               });
    });
  }

  Socket client_;
  Socket engine_;
  std::array<char, 65536> up_{};
  std::array<char, 65536> down_{};
};

}  // namespace

void start_relay(Socket client, const std::string& engine_socket) {
  std::make_shared<Relay>(std::move(client))->start(engine_socket);
}

}  // namespace moat::moatd
