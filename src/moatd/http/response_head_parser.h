#pragma once
// Parses the status line and headers of a response from the engine and says
// how its body is framed, so the proxy knows where the response ends. The
// engine is trusted, so this side is lenient (LF-only line endings, folded
// lines, repeated equal Content-Length are accepted) but bounded and never
// reads past the head. Framing follows RFC 9112 section 6.3:
// - a response to HEAD, 1xx, 204 and 304 have no body;
// - 101 Switching Protocols: from here on the connection is a raw stream
//   (attach, exec start, BuildKit session);
// - Transfer-Encoding ending in chunked: chunked (BodyDecoder with trailers
//   allowed finds the end); any other Transfer-Encoding: until close;
// - Content-Length: that many bytes;
// - otherwise until the engine closes (dockerd's hijack without upgrade
//   answers 200 with neither header).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "moatd/http/canonical_request.h"

namespace moat::moatd::http {

enum class ResponseFraming { kNone, kContentLength, kChunked, kUntilClose, kSwitchingProtocols };

struct ResponseHead {
  HttpVersion version = HttpVersion::kHttp11;
  int status = 0;
  std::string reason;
  std::vector<Header> headers;  // every header, lower-case names, in order
  ResponseFraming framing = ResponseFraming::kNone;
  std::uint64_t content_length = 0;
  // The connection can carry another request after this response's body.
  bool keep_alive = false;

  // 1xx other than 101: another head follows on the same connection.
  bool informational() const { return status >= 100 && status < 200 && status != 101; }
  const std::string* header(std::string_view lower_name) const;
};

struct ResponseHeadOptions {
  bool request_was_head = false;
  std::size_t max_head_bytes = 1U << 20;
};

namespace response_event {
struct NeedMore {
  std::size_t consumed = 0;
};
struct Done {
  ResponseHead head;
  std::size_t consumed = 0;  // bytes of this input up to the end of the head
};
struct Failed {
  std::string message;
  std::size_t consumed = 0;
};
}  // namespace response_event

using ResponseEvent =
    std::variant<response_event::NeedMore, response_event::Done, response_event::Failed>;

class ResponseHeadParser {
 public:
  explicit ResponseHeadParser(ResponseHeadOptions options = {}) : options_(options) {}

  ResponseEvent feed(std::string_view input);
  void reset(ResponseHeadOptions options);

 private:
  ResponseEvent parse(std::size_t used);

  ResponseHeadOptions options_;
  std::string head_;
  bool failed_ = false;
};

}  // namespace moat::moatd::http
