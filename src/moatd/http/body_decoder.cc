#include "moatd/http/body_decoder.h"

#include <algorithm>

#include "moatd/http/http_chars.h"

namespace moat::moatd::http {
namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

BodyDecoder BodyDecoder::content_length(std::uint64_t length, BodyDecoderOptions options) {
  return BodyDecoder(length == 0 ? State::kDone : State::kLength, length, options);
}

BodyDecoder BodyDecoder::chunked(BodyDecoderOptions options) {
  return BodyDecoder(State::kChunkSize, 0, options);
}

BodyDecoder::Step BodyDecoder::fail(Step step, int status, std::string message) {
  state_ = State::kFailed;
  step.data = {};
  step.done = false;
  step.refused = Refusal{status, std::move(message)};
  return step;
}

std::string BodyDecoder::take_chunk_size() {
  const std::string line = std::move(line_);
  line_.clear();
  if (line.empty()) return "chunk-size line is empty; expected hex digits then CRLF";
  std::uint64_t size = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const int d = hex_digit(line[i]);
    if (d < 0) {
      if (line[i] == ';') {
        return "chunk extension in " + quoted(line) + " is not accepted; send the bare chunk size";
      }
      return "chunk-size line " + quoted(line) + " has " + byte_name(line[i]) +
             " where a hex digit or CRLF belongs";
    }
    if (i >= 16) return "chunk size " + quoted(line) + " does not fit in 64 bits";
    size = size * 16 + static_cast<std::uint64_t>(d);
  }
  if (size == 0) {
    state_ = State::kTrailerLine;
    return "";
  }
  remaining_ = size;
  state_ = State::kChunkData;
  return "";
}

BodyDecoder::Step BodyDecoder::decode(std::string_view input) {
  Step step;
  std::size_t& i = step.consumed;
  while (i < input.size()) {
    switch (state_) {
      case State::kDone:
        step.done = true;
        return step;
      case State::kFailed:
        return fail(step, status::kBadRequest, "body framing already failed");
      case State::kLength:
      case State::kChunkData: {
        const std::size_t take = static_cast<std::size_t>(
            std::min<std::uint64_t>(remaining_, input.size() - i));
        step.data = input.substr(i, take);
        i += take;
        remaining_ -= take;
        decoded_ += take;
        if (remaining_ == 0) {
          if (state_ == State::kLength) {
            state_ = State::kDone;
            step.done = true;
          } else {
            state_ = State::kChunkDataCr;
          }
        }
        return step;
      }
      case State::kChunkDataCr:
        if (input[i] != '\r') {
          return fail(step, status::kBadRequest,
                      "chunk data is not followed by CRLF (found " + byte_name(input[i]) +
                          "); the chunk size does not match its data");
        }
        ++i;
        state_ = State::kChunkDataLf;
        break;
      case State::kChunkDataLf:
        if (input[i] != '\n') {
          return fail(step, status::kBadRequest,
                      "chunk data is followed by a bare CR (then " + byte_name(input[i]) + ")");
        }
        ++i;
        state_ = State::kChunkSize;
        break;
      case State::kChunkSize:
      case State::kTrailerLine: {
        const char c = input[i++];
        if (saw_cr_) {
          saw_cr_ = false;
          if (c != '\n') {
            return fail(step, status::kBadRequest,
                        "bare CR in chunked framing (CR followed by " + byte_name(c) + ")");
          }
          if (state_ == State::kChunkSize) {
            std::string error = take_chunk_size();
            if (!error.empty()) return fail(step, status::kBadRequest, std::move(error));
            if (state_ == State::kChunkData) {
              if (remaining_ > options_.max_bytes - decoded_) {
                return fail(step, status::kPayloadTooLarge,
                            "chunked body exceeds the limit of " +
                                std::to_string(options_.max_bytes) +
                                " bytes; it is refused, not truncated");
              }
            }
          } else if (line_.empty()) {
            state_ = State::kDone;
            step.done = true;
            return step;
          } else if (!options_.allow_trailers) {
            return fail(step, status::kBadRequest,
                        "trailer field " + quoted(line_) +
                            " after the last chunk is not accepted; send no trailers");
          } else {
            line_.clear();
          }
          break;
        }
        if (c == '\r') {
          saw_cr_ = true;
        } else if (c == '\n') {
          return fail(step, status::kBadRequest,
                      "bare LF in chunked framing; lines must end with CRLF");
        } else if (line_.size() >= options_.max_line) {
          return fail(step, status::kBadRequest,
                      std::string(state_ == State::kChunkSize ? "chunk-size" : "trailer") +
                          " line longer than " + std::to_string(options_.max_line) + " bytes");
        } else {
          line_ += c;
        }
        break;
      }
    }
  }
  step.done = state_ == State::kDone;
  return step;
}

}  // namespace moat::moatd::http
