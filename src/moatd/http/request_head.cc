#include "moatd/http/request_head.h"

#include <array>
#include <set>
#include <string>
#include <vector>

#include "moatd/http/http_chars.h"
#include "moatd/http/request_target.h"

namespace moat::moatd::http {
namespace {

// End-to-end headers a Docker client legitimately sends. Framing and
// hop-by-hop headers are re-expressed by the serializer, never copied.
constexpr std::array<std::string_view, 12> kForwardedHeaders = {
    "host",
    "user-agent",
    "content-type",
    "accept",
    "x-registry-auth",
    "x-registry-config",
    "x-docker-expose-session-uuid",
    "x-docker-expose-session-name",
    "x-docker-expose-session-sharedkey",
    "x-docker-expose-session-grpc-method",
    "traceparent",
    "tracestate",
};

constexpr std::array<std::string_view, 5> kMethods = {"GET", "HEAD", "POST", "PUT", "DELETE"};

Unexpected<Refusal> refuse(int status, std::string message) {
  return moat::unexpected(Refusal{status, std::move(message)});
}
Unexpected<Refusal> bad(std::string message) {
  return refuse(status::kBadRequest, std::move(message));
}

struct RawHeader {
  std::string name;   // lower case
  std::string_view value;
};

Result<HttpVersion, Refusal> parse_version(std::string_view v) {
  if (v == "HTTP/1.1") return HttpVersion::kHttp11;
  if (v == "HTTP/1.0") return HttpVersion::kHttp10;
  if (v.size() == 8 && v.starts_with("HTTP/") && v[5] >= '0' && v[5] <= '9' && v[6] == '.' &&
      v[7] >= '0' && v[7] <= '9') {
    return refuse(status::kVersionNotSupported,
                  "HTTP version " + quoted(v) + " is not supported; use HTTP/1.1");
  }
  return bad("request line ends in " + quoted(v) + ", not HTTP/1.1 or HTTP/1.0");
}

Result<void, Refusal> check_line_endings(std::string_view head) {
  for (std::size_t i = 0; i < head.size(); ++i) {
    if (head[i] == '\n' && (i == 0 || head[i - 1] != '\r')) {
      return bad("bare LF in the request head; lines must end with CRLF");
    }
    if (head[i] == '\r' && (i + 1 >= head.size() || head[i + 1] != '\n')) {
      return bad("bare CR in the request head; CR is allowed only before LF");
    }
  }
  return {};
}

Result<RawHeader, Refusal> parse_header_line(std::string_view line) {
  if (is_ows(line.front())) {
    return bad("header line " + quoted(line) +
               " starts with white space (obs-fold line folding is not accepted); "
               "put the whole value on one line");
  }
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) {
    return bad("header line " + quoted(line) + " has no colon");
  }
  const std::string_view name = line.substr(0, colon);
  if (name.empty()) return bad("header line " + quoted(line) + " has an empty name");
  if (is_ows(name.back())) {
    return bad("white space between header name " + quoted(trim_ows(name)) +
               " and the colon is not accepted");
  }
  for (const char c : name) {
    if (!is_tchar(c)) {
      return bad("header name " + quoted(name) + " contains " + byte_name(c) +
                 ", which is not a token character");
    }
  }
  const std::string_view value = trim_ows(line.substr(colon + 1));
  for (const char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\t') continue;
    if (u < 0x20 || u == 0x7f) {
      return bad("header " + quoted(name) + " contains control character " + byte_name(c));
    }
    if (u >= 0x80) {
      return bad("header " + quoted(name) + " contains non-ASCII byte " + byte_name(c) +
                 "; header values must be ASCII");
    }
  }
  return RawHeader{to_lower(name), value};
}

// Splits a comma-separated list, trimming white space, skipping empty items.
std::vector<std::string_view> split_list(std::string_view value) {
  std::vector<std::string_view> items;
  std::size_t start = 0;
  while (start <= value.size()) {
    auto end = value.find(',', start);
    if (end == std::string_view::npos) end = value.size();
    const std::string_view item = trim_ows(value.substr(start, end - start));
    if (!item.empty()) items.push_back(item);
    start = end + 1;
  }
  return items;
}

const RawHeader* find(const std::vector<RawHeader>& headers, std::string_view name) {
  for (const RawHeader& h : headers) {
    if (h.name == name) return &h;
  }
  return nullptr;
}

bool method_takes_no_body(std::string_view method) {
  return method == "GET" || method == "HEAD" || method == "DELETE";
}

}  // namespace

bool is_forwarded_header(std::string_view lower_name) {
  for (const std::string_view name : kForwardedHeaders) {
    if (name == lower_name) return true;
  }
  return false;
}

Result<CanonicalRequest, Refusal> parse_request_head(std::string_view head,
                                                     const HeadLimits& limits) {
  if (auto endings = check_line_endings(head); !endings) {
    return moat::unexpected(endings.error());
  }
  if (!head.ends_with("\r\n\r\n")) {
    return bad("request head does not end with an empty line (CRLF CRLF)");
  }
  head.remove_suffix(2);  // keep the CRLF that ends the last line

  std::vector<std::string_view> lines;
  for (std::size_t start = 0; start < head.size();) {
    const auto end = head.find("\r\n", start);
    lines.push_back(head.substr(start, end - start));
    start = end + 2;
  }
  const std::string_view request_line = lines.front();
  if (request_line.empty()) {
    return bad("empty line before the request line; send the request line first");
  }

  // METHOD SP request-target SP HTTP-version, single spaces, nothing else.
  const auto sp1 = request_line.find(' ');
  const auto sp2 = sp1 == std::string_view::npos ? sp1 : request_line.find(' ', sp1 + 1);
  if (sp1 == std::string_view::npos || sp2 == std::string_view::npos || sp1 == 0 ||
      sp2 == sp1 + 1 || sp2 + 1 == request_line.size() ||
      request_line.find(' ', sp2 + 1) != std::string_view::npos) {
    return bad("request line " + quoted(request_line) +
               " is not METHOD SP target SP HTTP-version with single spaces");
  }
  const std::string_view method = request_line.substr(0, sp1);
  const std::string_view target = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
  const std::string_view version_text = request_line.substr(sp2 + 1);
  if (!is_token(method)) {
    return bad("request method " + quoted(method) + " is not a token");
  }
  auto version = parse_version(version_text);
  if (!version) return moat::unexpected(std::move(version).error());
  bool known_method = false;
  for (const std::string_view m : kMethods) known_method = known_method || m == method;
  if (!known_method) {
    return refuse(status::kNotImplemented,
                  "method " + quoted(method) +
                      " is not used by the Docker Engine API (GET, HEAD, POST, PUT, DELETE)");
  }
  auto parsed_target = parse_target(target);
  if (!parsed_target) return moat::unexpected(std::move(parsed_target).error());

  CanonicalRequest request;
  request.method = std::string(method);
  request.version = *version;
  request.api_version = parsed_target->api_version;
  request.segments = std::move(parsed_target->segments);
  request.query = std::move(parsed_target->query);

  if (lines.size() - 1 > limits.max_headers) {
    return refuse(status::kHeaderFieldsTooLarge,
                  "more than " + std::to_string(limits.max_headers) + " header fields");
  }
  std::vector<RawHeader> headers;
  std::set<std::string, std::less<>> seen;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    if (lines[i].empty()) return bad("empty header line inside the request head");
    auto header = parse_header_line(lines[i]);
    if (!header) return moat::unexpected(std::move(header).error());
    if (!seen.insert(header->name).second &&
        header->name != "x-docker-expose-session-grpc-method") {
      return bad("header " + quoted(header->name) +
                 " appears more than once; send it once (readers disagree on which copy counts)");
    }
    headers.push_back(std::move(*header));
  }

  const bool http11 = request.version == HttpVersion::kHttp11;
  if (http11 && find(headers, "host") == nullptr) {
    return bad("HTTP/1.1 request without a Host header");
  }

  // Body framing.
  const RawHeader* content_length = find(headers, "content-length");
  const RawHeader* transfer_encoding = find(headers, "transfer-encoding");
  if (content_length != nullptr && transfer_encoding != nullptr) {
    return bad("both Content-Length and Transfer-Encoding are present; send only one "
               "(readers disagree on which wins)");
  }
  if (content_length != nullptr) {
    if (!is_all_digits(content_length->value)) {
      return bad("Content-Length " + quoted(content_length->value) +
                 " is not a plain decimal number");
    }
    std::uint64_t length = 0;
    if (!parse_decimal(content_length->value, length)) {
      return bad("Content-Length " + quoted(content_length->value) + " does not fit in 64 bits");
    }
    request.content_length = length;
    request.framing = length == 0 ? BodyFraming::kNone : BodyFraming::kContentLength;
  }
  if (transfer_encoding != nullptr) {
    if (!http11) return bad("Transfer-Encoding in an HTTP/1.0 request");
    if (transfer_encoding->value != "chunked") {
      return bad("Transfer-Encoding " + quoted(transfer_encoding->value) +
                 " is not supported; only \"chunked\" is accepted");
    }
    request.framing = BodyFraming::kChunked;
  }
  if (request.framing != BodyFraming::kNone && method_takes_no_body(request.method)) {
    return bad(request.method + " request with a body (" +
               (request.framing == BodyFraming::kChunked
                    ? std::string("chunked")
                    : "Content-Length " + std::to_string(request.content_length)) +
               "); the Docker API reads no body on " + request.method);
  }

  // Connection options.
  bool close = false;
  bool keep_alive_option = false;
  bool upgrade_option = false;
  if (const RawHeader* connection = find(headers, "connection")) {
    for (const std::string_view option : split_list(connection->value)) {
      if (iequals(option, "close")) {
        close = true;
      } else if (iequals(option, "keep-alive")) {
        keep_alive_option = true;
      } else if (iequals(option, "upgrade")) {
        upgrade_option = true;
      } else {
        return bad("Connection option " + quoted(option) +
                   " is not accepted; only close, keep-alive and upgrade");
      }
    }
  }
  request.keep_alive = !close && (http11 || keep_alive_option);

  const RawHeader* upgrade = find(headers, "upgrade");
  if (upgrade != nullptr || upgrade_option) {
    if (upgrade == nullptr) return bad("\"Connection: upgrade\" without an Upgrade header");
    if (!upgrade_option) {
      return bad("Upgrade header without \"Connection: upgrade\"; send both or neither");
    }
    if (!http11) return bad("protocol upgrade in an HTTP/1.0 request");
    const std::string protocol = to_lower(upgrade->value);
    if (protocol != "tcp" && protocol != "h2c") {
      return bad("Upgrade " + quoted(upgrade->value) +
                 " is not accepted; only tcp (attach, exec) and h2c (BuildKit session)");
    }
    request.upgrade = true;
    request.upgrade_protocol = protocol;
  }

  if (const RawHeader* expect = find(headers, "expect")) {
    if (!iequals(expect->value, "100-continue")) {
      return refuse(status::kExpectationFailed,
                    "Expect " + quoted(expect->value) + " is not supported; only 100-continue");
    }
    // HTTP/1.0 clients cannot receive 100 Continue (RFC 9110 10.1.1).
    request.expect_continue = http11;
  }

  for (RawHeader& h : headers) {
    if (is_forwarded_header(h.name)) {
      request.headers.push_back(Header{std::move(h.name), std::string(h.value)});
    }
  }
  return request;
}

}  // namespace moat::moatd::http
