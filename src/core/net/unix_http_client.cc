#include "core/net/unix_http_client.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace moat::core::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

Result<HttpResponse> unix_http_request(const std::string& socket_path, const std::string& method,
                                       const std::string& target, const std::string& body,
                                       std::chrono::milliseconds timeout) {
  // Asynchronous calls run to completion on a private io_context, because
  // only they honour the deadline: a peer that accepts but never answers (an
  // engine shutting down) must not hang the caller.
  asio::io_context io;
  beast::basic_stream<asio::local::stream_protocol> stream(io);
  http::request<http::string_body> req(http::string_to_verb(method), target, 11);
  req.set(http::field::host, "moat");
  req.set(http::field::user_agent, "moatctl");
  if (!body.empty()) req.set(http::field::content_type, "application/json");
  req.body() = body;
  req.prepare_payload();
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  beast::error_code failure;

  stream.expires_after(timeout);
  stream.async_connect(asio::local::stream_protocol::endpoint(socket_path), [&](beast::error_code ec) {
    if (ec) {
      failure = ec;
      return;
    }
    http::async_write(stream, req, [&](beast::error_code write_ec, std::size_t) {
      if (write_ec) {
        failure = write_ec;
        return;
      }
      http::async_read(stream, buffer, res, [&](beast::error_code read_ec, std::size_t) { failure = read_ec; });
    });
  });
  io.run();
  if (failure) return fail(socket_path + ": " + failure.message());
  return HttpResponse{res.result_int(), std::move(res.body())};
}

}  // namespace moat::core::net
