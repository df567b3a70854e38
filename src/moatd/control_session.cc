#include "moatd/control_session.h"

#include <atomic>
#include <memory>
#include <thread>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "moatd/audit_records_api.h"
#include "moatd/peer_credentials.h"

namespace moat::moatd {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using Socket = asio::local::stream_protocol::socket;

constexpr int kMaxAuditReaders = 2;
std::atomic<int> audit_readers{0};

// A request the parser refused, as opposed to a caller that went away or
// timed out: it gets a 400 that says why, as on the developers' socket.
bool is_malformed(const beast::error_code& ec) {
  return ec.category() == beast::error_code(http::error::bad_field).category() && ec != http::error::end_of_stream &&
         ec != http::error::partial_message;
}

class ControlSession : public std::enable_shared_from_this<ControlSession> {
 public:
  ControlSession(Socket socket, ControlApi& api) : stream_(std::move(socket)), api_(api) {}

  void start() {
    peer_ = peer_credentials(stream_.socket().native_handle());
    stream_.expires_after(std::chrono::seconds(30));
    http::async_read(stream_, buffer_, request_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (!ec) return self->respond();
                       if (is_malformed(ec)) {
                         self->write({400, {{"message", "malformed control request: " + ec.message()}}});
                       }
                     });
  }

 private:
  void respond() {
    const std::string method(request_.method_string());
    const std::string target(request_.target());
    if (is_audit_read(method, target)) {
      api_.write_staged_records();
      return read_off_the_loop(target);
    }
    write(api_.handle(method, target, request_.body(), peer_));
  }

  // Reading the log can take a while; the guard's requests must not wait
  // for it. At most kMaxAuditReaders reads run at once.
  void read_off_the_loop(const std::string& target) {
    if (audit_readers.fetch_add(1) >= kMaxAuditReaders) {
      --audit_readers;
      return write({429, {{"message", "too many audit reads at once; try again"}}});
    }
    // The thread touches only its own copies and, last, posts the answer;
    // moatd waits for readers before its event loop goes away.
    // The session moves into the posted answer, so the thread holds no
    // reference once it has counted itself out.
    std::thread([self = shared_from_this(), layout = api_.layout(), peer = peer_, target]() mutable {
      auto result = read_audit_records(layout, target, peer);
      auto executor = self->stream_.get_executor();
      asio::post(executor, [self = std::move(self), result = std::move(result)]() mutable {
        self->write(std::move(result));
      });
      --audit_readers;
    }).detach();
  }

  void write(const ControlResponse& result) {
    response_.result(result.status);
    response_.version(11);
    response_.set(http::field::content_type, "application/json");
    response_.keep_alive(false);
    // Messages quote what the caller sent (the target, a percent-decoded
    // query value), which may hold bytes that are not UTF-8: a plain dump()
    // would throw and end moatd for everyone.
    response_.body() = result.body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
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

bool wait_for_audit_readers(std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (audit_readers.load() > 0) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

void start_control_session(Socket socket, ControlApi& api) {
  std::make_shared<ControlSession>(std::move(socket), api)->start();
}

}  // namespace moat::moatd
