#pragma once
// Finds where each engine response ends, so the session relays it byte for
// byte (status line, headers and body exactly as the engine framed them)
// and knows when the connection is free for the next request or has become
// a raw stream. Nothing is buffered except the response head; body bytes
// are reported as a count of the caller's input to forward as is.
//
//   framer.start(request_was_head);
//   while (...) {
//     FramerEvent e = framer.feed(input);
//     forward input[0, consumed(e)) (for Head: forward head.raw instead);
//     input.remove_prefix(consumed(e));
//   }
//   when the engine closes: framer.end_of_input().

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "core/result/result.h"
#include "moatd/http/body_decoder.h"
#include "moatd/http/response_head_parser.h"

namespace moat::moatd::proxy {

namespace framer_event {
struct NeedMore {  // all input used, nothing to forward yet (head in progress)
  std::size_t consumed = 0;
};
struct Head {  // a complete head, final or informational (head.informational())
  http::ResponseHead head;
  std::string raw;  // the head's bytes as the engine sent them
  std::size_t consumed = 0;
  bool done = false;  // the response has no body (or is a 101 switch)
};
struct Body {  // forward the first `consumed` bytes of the input unchanged
  std::size_t consumed = 0;
  bool done = false;
};
struct Failed {
  std::string message;
  std::size_t consumed = 0;
};
}  // namespace framer_event

using FramerEvent =
    std::variant<framer_event::NeedMore, framer_event::Head, framer_event::Body, framer_event::Failed>;

std::size_t consumed(const FramerEvent& e);

class ResponseFramer {
 public:
  void start(bool request_was_head, std::size_t max_head_bytes = 1U << 20);

  FramerEvent feed(std::string_view input);

  // The engine closed its side. Success ends an until-close body; anything
  // else is a response cut short, with what was missing.
  Result<void> end_of_input();

  bool done() const { return state_ == State::kDone; }
  bool head_complete() const { return state_ != State::kHead; }
  bool any_input() const { return any_input_; }
  // Body bytes still expected for a Content-Length body, else nullopt.
  std::optional<std::uint64_t> content_length_left() const;
  // Records n body bytes of a Content-Length body that were moved without
  // passing through feed() (spliced). n must not exceed content_length_left.
  void skip_body(std::uint64_t n);

 private:
  enum class State { kHead, kLengthBody, kChunkedBody, kUntilClose, kDone };

  State state_ = State::kHead;
  http::ResponseHeadParser head_parser_;
  http::ResponseHeadOptions head_options_;
  std::string raw_head_;
  std::uint64_t left_ = 0;
  std::optional<http::BodyDecoder> chunks_;
  bool any_input_ = false;
};

}  // namespace moat::moatd::proxy
