#pragma once
// Frames one message body: a fixed Content-Length, or chunked transfer
// coding decoded to its data. It never buffers: each step hands back at most
// one contiguous piece of the caller's input, so the same decoder serves a
// buffered request (the parser appends the pieces), a streamed upload of
// gigabytes (the proxy forwards the pieces) and an engine response.
//
// Chunked rules for requests: chunk-size is 1 to 16 hex digits followed
// directly by CRLF. Chunk extensions (";name=value") are refused: no Docker
// client sends them and Go's reader silently drops them. Chunk data must be
// followed by exactly CRLF. The trailer section must be empty unless
// allow_trailers is set (responses), in which case trailer lines are skipped.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "moatd/http/refusal.h"

namespace moat::moatd::http {

struct BodyDecoderOptions {
  // Decoded bytes allowed in total; more is refused with 413, never cut.
  std::uint64_t max_bytes = UINT64_MAX;
  bool allow_trailers = false;
  // Longest chunk-size line or trailer line accepted (without CRLF).
  std::size_t max_line = 1024;
};

class BodyDecoder {
 public:
  static BodyDecoder content_length(std::uint64_t length, BodyDecoderOptions options = {});
  static BodyDecoder chunked(BodyDecoderOptions options = {});

  struct Step {
    std::size_t consumed = 0;  // bytes of the input used, framing included
    std::string_view data;     // decoded body bytes, a view into the input
    bool done = false;         // the body ended; consumed stops right after it
    std::optional<Refusal> refused;
  };

  // Consumes input up to and including at most one piece of body data. Call
  // again with the rest of the input while consumed < input.size().
  Step decode(std::string_view input);

  bool done() const { return state_ == State::kDone; }
  std::uint64_t decoded_bytes() const { return decoded_; }

 private:
  enum class State {
    kLength,
    kChunkSize,
    kChunkData,
    kChunkDataCr,
    kChunkDataLf,
    kTrailerLine,
    kDone,
    kFailed,
  };

  BodyDecoder(State state, std::uint64_t remaining, BodyDecoderOptions options)
      : state_(state), remaining_(remaining), options_(options) {}

  Step fail(Step step, int status, std::string message);
  // Parses line_ as a chunk-size line; returns a refusal message or "".
  std::string take_chunk_size();

  State state_;
  std::uint64_t remaining_;
  std::uint64_t decoded_ = 0;
  BodyDecoderOptions options_;
  std::string line_;        // partial chunk-size or trailer line
  bool saw_cr_ = false;     // line_ is complete up to a CR
};

}  // namespace moat::moatd::http
