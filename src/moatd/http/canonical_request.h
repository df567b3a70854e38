#pragma once
// CanonicalRequest: the one reading of a client request that moatd judges
// and then forwards. It is built only by RequestParser and turned back into
// bytes only by serialize_request / serialize_head, so the engine receives
// exactly what the policy saw.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace moat::moatd::http {

enum class HttpVersion { kHttp10, kHttp11 };

// "/v1.41/": both numbers as written, without leading zeros.
struct ApiVersion {
  unsigned major = 0;
  unsigned minor = 0;

  bool operator==(const ApiVersion&) const = default;
};

// One query parameter after percent-decoding ('+' is a space, as in Go's
// url.ParseQuery). Repeated keys are all kept, in order.
struct QueryParam {
  std::string key;
  std::string value;

  bool operator==(const QueryParam&) const = default;
};

// A header that is forwarded: lower-case name, value without surrounding
// white space. Framing and hop-by-hop headers never appear here; what they
// said is in the flags and framing of CanonicalRequest.
struct Header {
  std::string name;
  std::string value;

  bool operator==(const Header&) const = default;
};

// How the body travels. A buffered request always ends up kNone (empty body)
// or kContentLength (decoded body, its own length); kChunked survives only
// for a streamed body whose length is not known up front.
enum class BodyFraming { kNone, kContentLength, kChunked };

struct CanonicalRequest {
  std::string method;  // GET, HEAD, POST, PUT or DELETE
  HttpVersion version = HttpVersion::kHttp11;
  std::optional<ApiVersion> api_version;
  std::vector<std::string> segments;  // path after the version prefix
  std::vector<QueryParam> query;
  std::vector<Header> headers;

  BodyFraming framing = BodyFraming::kNone;
  std::uint64_t content_length = 0;  // for kContentLength
  bool body_streamed = false;        // body handed out in pieces, not in `body`
  std::string body;                  // buffered body, de-chunked
  bool body_canonical = false;       // body rewritten by moatd as the canonical JSON it judged

  bool keep_alive = true;
  bool upgrade = false;               // Connection: upgrade + Upgrade: tcp|h2c
  std::string upgrade_protocol;       // "tcp" or "h2c", lower case
  bool expect_continue = false;       // the proxy answers 100 Continue itself

  // "/v1.41/containers/json" (or "/_ping" without a version prefix).
  std::string path() const;
  // path() plus the query, re-encoded canonically.
  std::string target() const;
  void append_target(std::string& out) const;
  // Value of a forwarded header by lower-case name, or nullptr.
  const std::string* header(std::string_view lower_name) const;

  bool operator==(const CanonicalRequest&) const = default;
};

}  // namespace moat::moatd::http
