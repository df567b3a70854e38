#include "core/net/unix_http_client.h"

#include <boost/asio/connect.hpp>
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
  try {
    asio::io_context io;
    beast::basic_stream<asio::local::stream_protocol> stream(io);
    stream.expires_after(timeout);
    stream.connect(asio::local::stream_protocol::endpoint(socket_path));
    http::request<http::string_body> req(http::string_to_verb(method), target, 11);
    req.set(http::field::host, "moat");
    req.set(http::field::user_agent, "moatctl");
    if (!body.empty()) req.set(http::field::content_type, "application/json");
    req.body() = body;
    req.prepare_payload();
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    beast::error_code ignored;
    stream.socket().shutdown(asio::local::stream_protocol::socket::shutdown_both, ignored);
    return HttpResponse{res.result_int(), std::move(res.body())};
  } catch (const std::exception& e) {
    return fail(socket_path + ": " + e.what());
  }
}

}  // namespace moat::core::net
