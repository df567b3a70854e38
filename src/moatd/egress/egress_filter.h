#pragma once
// The network layer of Registry Access Management: an HTTP proxy on the
// loopback interface that `moatctl up` makes the engine's only way to the
// network (HTTP_PROXY and HTTPS_PROXY of dockerd, no NO_PROXY) while
// moat.registryAccess is on. It catches what the API layer cannot see: a
// pull inside BuildKit, a redirect, a future endpoint, root talking to the
// engine socket directly.
//
// Each connection carries one request: CONNECT host:port (HTTPS, tunnelled)
// or an absolute-form http:// request (forwarded with Connection: close).
// The judge decides on the host and port and records the decision; a
// refusal is answered 403 with its reason, and nothing is sent to the host.
// An allowed connection is made directly or through the admin's corporate
// proxy, and its bytes are then relayed as they are (TLS stays end to end).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/ip/tcp.hpp>

namespace moat::moatd::egress {

struct Target {
  std::string host;  // as written; an IPv6 literal without brackets
  std::uint16_t port = 0;
  bool tunnel = false;  // CONNECT; else a plain http:// request
  std::uint16_t default_port() const { return tunnel ? 443 : 80; }
  std::string authority() const;  // "host:port", "[v6]:port"
};

// "registry.example:443", "[2001:db8::1]:5000" (CONNECT needs the port).
std::optional<Target> parse_connect_target(std::string_view authority);
// "http://host[:port]/path?query": the target and the origin-form path.
struct AbsoluteTarget {
  Target target;
  std::string origin_form;  // "/path?query", "/" when empty
};
std::optional<AbsoluteTarget> parse_absolute_http_target(std::string_view url);

struct Hop {
  std::string host;
  std::uint16_t port = 0;
};

struct EgressVerdict {
  bool allowed = false;
  std::string message;      // the refusal's reason, sent as the 403 body
  std::optional<Hop> via;   // the admin's corporate proxy, when one is set
};

// Judges `target` for the client `peer` ("127.0.0.1:40000") and records the
// decision; calls `act` once it is recorded (with a refusal if it could not
// be). Runs on the filter's event loop.
using EgressJudge =
    std::function<void(const Target& target, const std::string& peer, std::function<void(EgressVerdict)> act)>;

struct EgressOptions {
  EgressJudge judge;  // empty: everything is refused
  std::size_t buffer_bytes = 256 * 1024;
  std::size_t max_head_bytes = 16 * 1024;
  // For the request head, and for connecting on; a tunnel may stay idle.
  std::chrono::milliseconds head_timeout = std::chrono::seconds(30);
};

// Accepts connections on `acceptor` until it is closed.
void start_egress_filter(boost::asio::ip::tcp::acceptor& acceptor, std::shared_ptr<const EgressOptions> options);

}  // namespace moat::moatd::egress
