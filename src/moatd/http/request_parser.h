#pragma once
// RequestParser: incremental, strict HTTP/1.1 request parser for moatd.
//
// The event loop feeds bytes as they arrive; every call returns one event
// and how many of the given bytes it used, so the caller loops:
//
//   while (!input.empty()) {
//     ParseEvent event = parser.feed(input);
//     input.remove_prefix(consumed(event));
//     ... handle event; after Complete or BodyComplete call reset() ...
//   }
//
// Buffered mode (the default): the parser keeps the head and the whole body
// (de-chunked, at most max_body_bytes; a larger body is refused with 413,
// never skipped or cut) and answers Complete with a CanonicalRequest.
//
// Streaming mode, for endpoints whose body is an archive (images/load,
// images/create?fromSrc, build, PUT containers/{id}/archive): once the head
// is parsed, the parser asks options.stream_body(head). If it says true, the
// parser answers HeadComplete (request without body, framing kept), then
// BodyPiece events whose data is a view into the bytes just fed (decoded
// from chunked if need be; nothing is buffered). The body ends with a piece
// marked last, or with BodyComplete when the end carries no data (the last
// chunk of a chunked body). The
// proxy forwards serialize_head(head) and then each piece, as is for
// Content-Length framing or through encode_chunk for chunked framing.
//
// Refused is final: the connection must be answered and closed. After a
// request with upgrade set completes (attach, exec start, BuildKit session),
// the rest of the connection is a raw stream: do not feed it to the parser.
// Limits and statuses: request line > max_request_line 414, head >
// max_head_bytes or > max_headers fields 431, body > limit 413, unknown
// method 501, other HTTP version 505, Expect other than 100-continue 417,
// everything else 400 (see request_head.h, request_target.h and
// body_decoder.h for the rules).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "moatd/http/body_decoder.h"
#include "moatd/http/canonical_request.h"
#include "moatd/http/refusal.h"
#include "moatd/http/request_head.h"

namespace moat::moatd::http {

struct ParserOptions {
  std::size_t max_request_line = 64 * 1024;   // longer: 414 (build sends long queries)
  std::size_t max_head_bytes = 256 * 1024;    // request line + headers; more: 431
  std::size_t max_headers = 100;              // more: 431
  std::uint64_t max_body_bytes = 4U << 20;    // buffered body; more: 413
  std::uint64_t max_streamed_body_bytes = UINT64_MAX;
  // Decides from the parsed head whether the body is streamed. Empty: never.
  std::function<bool(const CanonicalRequest& head)> stream_body;
  // A buffered body's own limit for some heads (a build context moatd reads
  // for its Dockerfile), with the reason a 413 for it gives. Empty, or
  // nullopt for a head: max_body_bytes.
  struct BodyLimit {
    std::uint64_t bytes = 0;
    std::string why;  // appended to the 413 text
  };
  std::function<std::optional<BodyLimit>(const CanonicalRequest& head)> buffered_body_limit;
};

namespace event {
struct NeedMore {
  std::size_t consumed = 0;  // always all of the input
};
struct Complete {
  CanonicalRequest request;
  std::size_t consumed = 0;
};
struct HeadComplete {
  CanonicalRequest head;
  std::size_t consumed = 0;
};
struct BodyPiece {
  std::string_view data;  // valid as long as the bytes passed to feed()
  std::size_t consumed = 0;
  bool last = false;  // the body ends with this piece; no BodyComplete follows
};
struct BodyComplete {
  std::size_t consumed = 0;
};
struct Refused {
  Refusal refusal;
  std::size_t consumed = 0;
};
}  // namespace event

using ParseEvent = std::variant<event::NeedMore, event::Complete, event::HeadComplete,
                                event::BodyPiece, event::BodyComplete, event::Refused>;

std::size_t consumed(const ParseEvent& e);

class RequestParser {
 public:
  explicit RequestParser(ParserOptions options = {});

  ParseEvent feed(std::string_view input);

  // Ready for the next request on the same connection. Not allowed after
  // Refused (the caller closes the connection instead).
  void reset();

  bool refused() const { return state_ == State::kRefused; }

 private:
  enum class State { kHead, kBufferedBody, kStreamedBody, kDone, kRefused };

  ParseEvent refuse(int status, std::string message, std::size_t consumed);
  ParseEvent refuse(Refusal refusal, std::size_t consumed);
  // Called with the complete head; `used` bytes of the current input so far.
  ParseEvent on_head(std::size_t used, std::string_view rest);
  ParseEvent continue_body(std::string_view input, std::size_t used);

  ParserOptions options_;
  State state_ = State::kHead;
  std::string head_;
  std::string limit_why_;  // of the request being read, for its 413
  bool request_line_done_ = false;
  std::optional<BodyDecoder> body_;
  CanonicalRequest request_;
};

}  // namespace moat::moatd::http
