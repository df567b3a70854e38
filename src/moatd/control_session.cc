#include "moatd/control_session.h"

#include <memory>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "moatd/peer_credentials.h"

namespace moat::moatd {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using Socket = asio::local::stream_protocol::socket;

class ControlSession : public std::enable_shared_from_this<ControlSession> {
 public:
  ControlSession(Socket socket, ControlApi& api) : stream_(std::move(socket)), api_(api) {}

  void start() {
    peer_ = peer_credentials(stream_.socket().native_handle());
    stream_.expires_after(std::chrono::seconds(30));
    http::async_read(stream_, buffer_, request_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (!ec) self->respond();
                     });
  }

 private:
  void respond() {
    const auto result = api_.handle(std::string(request_.method_string()),
                                    std::string(request_.target()), request_.body(), peer_);
    response_.result(result.status);
    response_.version(11);
    response_.set(http::field::content_type, "application/json");
    response_.keep_alive(false);
    response_.body() = result.body.dump() + "\n";
    response_.prepare_payload();
    http::async_write(stream_, response_, [self = shared_from_this()](beast::error_code, std::size_t) {
      beast::error_code ignored;
      self->stream_.socket().shutdown(Socket::shutdown_both, ignored);
    });
  }

  beast::basic_stream<asio::local::stream_protocol> stream_;
  ControlApi& api_;
  PeerCredentials peer_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
};

}  // namespace

void start_control_session(Socket socket, ControlApi& api) {
  std::make_shared<ControlSession>(std::move(socket), api)->start();
}

}  // namespace moat::moatd
