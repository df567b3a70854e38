#pragma once
// Test helpers: feed a raw request to RequestParser whole, byte by byte or
// in fixed-size pieces, and report what came out.

#include <cstddef>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "moatd/http/request_parser.h"

namespace moat::moatd::http::test_support {

struct Outcome {
  std::optional<CanonicalRequest> request;  // Complete
  std::optional<Refusal> refusal;           // Refused
  std::size_t consumed = 0;                 // bytes of raw used
};

// Feeds raw in pieces of `piece` bytes (0 = all at once) until the parser
// completes, refuses or runs out of input.
inline Outcome feed_in_pieces(std::string_view raw, std::size_t piece,
                              const ParserOptions& options = {}) {
  RequestParser parser(options);
  Outcome out;
  std::size_t offset = 0;
  while (offset < raw.size()) {
    const std::size_t n = piece == 0 ? raw.size() - offset : std::min(piece, raw.size() - offset);
    std::string_view input = raw.substr(offset, n);
    while (!input.empty()) {
      ParseEvent event = parser.feed(input);
      const std::size_t used = consumed(event);
      input.remove_prefix(used);
      out.consumed += used;
      if (auto* complete = std::get_if<event::Complete>(&event)) {
        out.request = std::move(complete->request);
        return out;
      }
      if (auto* refused = std::get_if<event::Refused>(&event)) {
        out.refusal = refused->refusal;
        return out;
      }
      if (std::holds_alternative<event::NeedMore>(event)) break;
    }
    offset += n;
  }
  return out;
}

inline std::string read_fixture(const std::string& name) {
  std::ifstream in(std::string(MOAT_FIXTURES) + "/http/" + name, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace moat::moatd::http::test_support
