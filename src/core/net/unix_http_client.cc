#include "core/net/unix_http_client.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace moat::core::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

// Asynchronous calls run on a private io_context, because only they honour
// the deadline: a peer that accepts but never answers (an engine shutting
// down) must not hang the caller.
struct PendingHttpRequest::Exchange {
  std::string socket_path;
  std::chrono::milliseconds timeout{};
  asio::io_context io;
  beast::basic_stream<asio::local::stream_protocol> stream{io};
  http::request<http::string_body> request;
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  beast::error_code failure;
  bool written = false;
  bool answered = false;
};

PendingHttpRequest::PendingHttpRequest(std::unique_ptr<Exchange> exchange) : exchange_(std::move(exchange)) {}
PendingHttpRequest::PendingHttpRequest(PendingHttpRequest&&) noexcept = default;
PendingHttpRequest& PendingHttpRequest::operator=(PendingHttpRequest&&) noexcept = default;
PendingHttpRequest::~PendingHttpRequest() = default;

PendingHttpRequest PendingHttpRequest::send(const std::string& socket_path, const std::string& method,
                                            const std::string& target, const std::string& body,
                                            std::chrono::milliseconds timeout) {
  auto x = std::make_unique<Exchange>();
  x->socket_path = socket_path;
  x->timeout = timeout;
  auto& req = x->request;
  req = http::request<http::string_body>(http::string_to_verb(method), target, 11);
  req.set(http::field::host, "moat");
  req.set(http::field::user_agent, "moatctl");
  if (!body.empty()) req.set(http::field::content_type, "application/json");
  req.body() = body;
  req.prepare_payload();

  Exchange& e = *x;
  // Asio opens sockets without SOCK_CLOEXEC, and moat-runc runs runc while
  // a delete's record is pending: runc must not inherit the connection to
  // moatd's control socket.
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    e.failure = beast::error_code(errno, boost::system::system_category());
    return PendingHttpRequest(std::move(x));
  }
  e.stream.socket().assign(asio::local::stream_protocol(), fd, e.failure);
  if (e.failure) {
    ::close(fd);
    return PendingHttpRequest(std::move(x));
  }
  e.stream.expires_after(timeout);
  e.stream.async_connect(asio::local::stream_protocol::endpoint(socket_path), [&e](beast::error_code ec) {
    if (ec) {
      e.failure = ec;
      return;
    }
    http::async_write(e.stream, e.request, [&e](beast::error_code write_ec, std::size_t) {
      e.failure = write_ec;
      e.written = !write_ec;
    });
  });
  while (!e.written && !e.failure && e.io.run_one() > 0) {
  }
  return PendingHttpRequest(std::move(x));
}

Result<HttpResponse> PendingHttpRequest::response() {
  Exchange& e = *exchange_;
  if (e.written && !e.answered) {
    e.answered = true;
    e.stream.expires_after(e.timeout);  // the caller's work in between is not the server's delay
    http::async_read(e.stream, e.buffer, e.response, [&e](beast::error_code ec, std::size_t) { e.failure = ec; });
    e.io.restart();
    e.io.run();
  }
  if (e.failure) return fail(e.socket_path + ": " + e.failure.message());
  if (!e.answered) return fail(e.socket_path + ": the request was not sent");
  return HttpResponse{e.response.result_int(), std::move(e.response.body())};
}

Result<HttpResponse> unix_http_request(const std::string& socket_path, const std::string& method,
                                       const std::string& target, const std::string& body,
                                       std::chrono::milliseconds timeout) {
  return PendingHttpRequest::send(socket_path, method, target, body, timeout).response();
}

}  // namespace moat::core::net
