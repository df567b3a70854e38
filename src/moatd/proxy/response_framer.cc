#include "moatd/proxy/response_framer.h"

#include <algorithm>

namespace moat::moatd::proxy {

std::size_t consumed(const FramerEvent& e) {
  return std::visit([](const auto& v) { return v.consumed; }, e);
}

void ResponseFramer::start(bool request_was_head, std::size_t max_head_bytes) {
  state_ = State::kHead;
  head_options_ = http::ResponseHeadOptions{request_was_head, max_head_bytes};
  head_parser_.reset(head_options_);
  raw_head_.clear();
  left_ = 0;
  chunks_.reset();
  any_input_ = false;
}

FramerEvent ResponseFramer::feed(std::string_view input) {
  if (!input.empty()) any_input_ = true;
  switch (state_) {
    case State::kHead: {
      http::ResponseEvent e = head_parser_.feed(input);
      if (auto* more = std::get_if<http::response_event::NeedMore>(&e)) {
        raw_head_.append(input.substr(0, more->consumed));
        return framer_event::NeedMore{more->consumed};
      }
      if (auto* failed = std::get_if<http::response_event::Failed>(&e)) {
        state_ = State::kDone;
        return framer_event::Failed{"malformed response from the engine: " + failed->message,
                                    failed->consumed};
      }
      auto& done = std::get<http::response_event::Done>(e);
      raw_head_.append(input.substr(0, done.consumed));
      framer_event::Head out{std::move(done.head), std::move(raw_head_), done.consumed, false};
      raw_head_.clear();
      if (out.head.informational()) {
        head_parser_.reset(head_options_);  // the final head follows
        return out;
      }
      switch (out.head.framing) {
        case http::ResponseFraming::kNone:
        case http::ResponseFraming::kSwitchingProtocols:
          state_ = State::kDone;
          out.done = true;
          break;
        case http::ResponseFraming::kContentLength:
          state_ = State::kLengthBody;
          left_ = out.head.content_length;
          break;
        case http::ResponseFraming::kChunked: {
          http::BodyDecoderOptions options;
          options.allow_trailers = true;
          chunks_ = http::BodyDecoder::chunked(options);
          state_ = State::kChunkedBody;
          break;
        }
        case http::ResponseFraming::kUntilClose:
          state_ = State::kUntilClose;
          break;
      }
      return out;
    }
    case State::kLengthBody: {
      const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(left_, input.size()));
      left_ -= n;
      if (left_ == 0) state_ = State::kDone;
      return framer_event::Body{n, left_ == 0};
    }
    case State::kChunkedBody: {
      std::size_t used = 0;
      while (used < input.size()) {
        const http::BodyDecoder::Step step = chunks_->decode(input.substr(used));
        used += step.consumed;
        if (step.refused) {
          state_ = State::kDone;
          return framer_event::Failed{
              "malformed chunked response body from the engine: " + step.refused->message, used};
        }
        if (step.done) {
          state_ = State::kDone;
          return framer_event::Body{used, true};
        }
        if (step.consumed == 0) break;
      }
      return framer_event::Body{used, false};
    }
    case State::kUntilClose:
      return framer_event::Body{input.size(), false};
    case State::kDone:
      break;
  }
  return framer_event::Body{0, true};
}

Result<void> ResponseFramer::end_of_input() {
  switch (state_) {
    case State::kUntilClose:
      state_ = State::kDone;
      return {};
    case State::kDone:
      return {};
    case State::kHead:
      return any_input_ ? fail("the engine closed the connection in the middle of the response head")
                        : fail("the engine closed the connection without answering");
    case State::kLengthBody:
      return fail("the engine closed the connection " + std::to_string(left_) +
                  " bytes before the end of the response body");
    case State::kChunkedBody:
      return fail("the engine closed the connection before the last chunk of the response body");
  }
  return fail("internal: unknown response state");
}

std::optional<std::uint64_t> ResponseFramer::content_length_left() const {
  if (state_ != State::kLengthBody) return std::nullopt;
  return left_;
}

void ResponseFramer::skip_body(std::uint64_t n) {
  if (state_ != State::kLengthBody) return;
  left_ -= std::min(n, left_);
  if (left_ == 0) state_ = State::kDone;
}

}  // namespace moat::moatd::proxy
