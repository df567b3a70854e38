#include "moatd/http/request_parser.h"

#include "moatd/http/http_chars.h"

namespace moat::moatd::http {

std::size_t consumed(const ParseEvent& e) {
  return std::visit([](const auto& v) { return v.consumed; }, e);
}

RequestParser::RequestParser(ParserOptions options) : options_(std::move(options)) {}

void RequestParser::reset() {
  state_ = State::kHead;
  head_.clear();
  request_line_done_ = false;
  body_.reset();
  request_ = CanonicalRequest{};
}

ParseEvent RequestParser::refuse(int status, std::string message, std::size_t used) {
  return refuse(Refusal{status, std::move(message)}, used);
}

ParseEvent RequestParser::refuse(Refusal refusal, std::size_t used) {
  if (refusal.status == status::kPayloadTooLarge && !limit_why_.empty()) refusal.message += "; " + limit_why_;
  state_ = State::kRefused;
  head_.clear();
  body_.reset();
  return event::Refused{std::move(refusal), used};
}

ParseEvent RequestParser::feed(std::string_view input) {
  switch (state_) {
    case State::kRefused:
      return event::Refused{Refusal{status::kBadRequest, "connection already refused"}, 0};
    case State::kDone:
      return refuse(status::kBadRequest,
                    "internal: bytes fed after a complete request without reset()", 0);
    case State::kBufferedBody:
    case State::kStreamedBody:
      return continue_body(input, 0);
    case State::kHead:
      break;
  }
  // Scan byte by byte so bare CR/LF and oversize heads are refused as soon
  // as they arrive, and so bytes after the head stay in the caller's input.
  for (std::size_t i = 0; i < input.size(); ++i) {
    const char c = input[i];
    const char prev = head_.empty() ? '\0' : head_.back();
    if (prev == '\r' && c != '\n') {
      return refuse(status::kBadRequest,
                    "bare CR in the request head; CR is allowed only before LF", i + 1);
    }
    if (c == '\n' && prev != '\r') {
      return refuse(status::kBadRequest, "bare LF in the request head; lines must end with CRLF",
                    i + 1);
    }
    head_ += c;
    if (c == '\n') request_line_done_ = true;
    if (!request_line_done_ && head_.size() > options_.max_request_line) {
      return refuse(status::kUriTooLong, "request line longer than " +
                                             std::to_string(options_.max_request_line) + " bytes",
                    i + 1);
    }
    if (head_.size() > options_.max_head_bytes) {
      return refuse(status::kHeaderFieldsTooLarge,
                    "request head larger than " + std::to_string(options_.max_head_bytes) + " bytes",
                    i + 1);
    }
    if (c == '\n' && head_.ends_with("\r\n\r\n")) {
      return on_head(i + 1, input.substr(i + 1));
    }
    // A CRLF first line can only be an empty line before the request line.
    if (c == '\n' && head_ == "\r\n") {
      return refuse(status::kBadRequest,
                    "empty line before the request line; send the request line first", i + 1);
    }
  }
  return event::NeedMore{input.size()};
}

ParseEvent RequestParser::on_head(std::size_t used, std::string_view rest) {
  auto parsed = parse_request_head(head_, HeadLimits{options_.max_headers});
  head_.clear();
  if (!parsed) return refuse(parsed.error(), used);
  request_ = std::move(*parsed);

  const bool streamed = request_.framing != BodyFraming::kNone && options_.stream_body &&
                        options_.stream_body(request_);
  std::uint64_t limit = streamed ? options_.max_streamed_body_bytes : options_.max_body_bytes;
  limit_why_.clear();
  if (!streamed && request_.framing != BodyFraming::kNone && options_.buffered_body_limit) {
    if (auto own = options_.buffered_body_limit(request_)) {
      limit = own->bytes;
      limit_why_ = std::move(own->why);
    }
  }
  if (request_.framing == BodyFraming::kContentLength && request_.content_length > limit) {
    return refuse(status::kPayloadTooLarge,
                  "body of " + std::to_string(request_.content_length) +
                      " bytes exceeds the limit of " + std::to_string(limit) +
                      " bytes; it is refused, not truncated",
                  used);
  }
  BodyDecoderOptions body_options;
  body_options.max_bytes = limit;
  switch (request_.framing) {
    case BodyFraming::kNone:
      state_ = State::kDone;
      return event::Complete{std::move(request_), used};
    case BodyFraming::kContentLength:
      body_ = BodyDecoder::content_length(request_.content_length, body_options);
      break;
    case BodyFraming::kChunked:
      body_ = BodyDecoder::chunked(body_options);
      break;
  }
  if (streamed) {
    request_.body_streamed = true;
    state_ = State::kStreamedBody;
    return event::HeadComplete{request_, used};
  }
  state_ = State::kBufferedBody;
  return continue_body(rest, used);
}

ParseEvent RequestParser::continue_body(std::string_view input, std::size_t used) {
  while (true) {
    const BodyDecoder::Step step = body_->decode(input);
    used += step.consumed;
    input.remove_prefix(step.consumed);
    if (step.refused) return refuse(*step.refused, used);
    if (state_ == State::kStreamedBody) {
      if (!step.data.empty()) {
        if (step.done) state_ = State::kDone;
        return event::BodyPiece{step.data, used, step.done};
      }
      if (step.done) {
        state_ = State::kDone;
        return event::BodyComplete{used};
      }
      return event::NeedMore{used};
    }
    request_.body.append(step.data);
    if (step.done) {
      // Canonical buffered framing: the decoded body with its own length.
      request_.framing = request_.body.empty() ? BodyFraming::kNone : BodyFraming::kContentLength;
      request_.content_length = request_.body.size();
      state_ = State::kDone;
      return event::Complete{std::move(request_), used};
    }
    if (input.empty()) return event::NeedMore{used};
  }
}

}  // namespace moat::moatd::http
