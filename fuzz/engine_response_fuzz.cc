// Feeds arbitrary bytes, as the engine's side of one connection, to the
// ResponseFramer (and through it ResponseHeadParser and the chunked
// BodyDecoder) that decides where each engine response ends. The engine is
// trusted, but its answers carry what containers and images say (logs,
// labels, names), and a framing mistake would hand the next developer's
// request the rest of someone else's answer. Checks:
// - the outcome does not depend on how the bytes were split;
// - what the session forwards is exactly the engine's bytes, in order;
// - no event leaves input unused without ending the response (a stall);
// - a head that parsed parses again from its own bytes alone, the same way.
// Input layout: byte 0 chooses whether the request was HEAD (bit 0) and
// seeds the split sizes; the rest is what the engine sent.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "split_sizes.h"
#include "moatd/http/response_head_parser.h"
#include "moatd/proxy/response_framer.h"

namespace {

using namespace moat::moatd;

// Small enough that the fuzzer reaches the limit.
constexpr std::size_t kMaxHeadBytes = 2048;

struct Outcome {
  std::vector<int> statuses;
  std::vector<std::string> raw_heads;
  std::string forwarded;  // raw heads and body bytes, as the session relays them
  std::size_t responses = 0;
  bool switched_protocols = false;
  std::optional<std::string> failure;
  std::string end;  // what end_of_input says once the bytes run out
  bool operator==(const Outcome&) const = default;
};

// Runs a whole connection; split sizes come from a small linear generator.
Outcome run(std::string_view bytes, bool request_was_head, std::uint32_t seed) {
  Outcome out;
  proxy::ResponseFramer framer;
  framer.start(request_was_head, kMaxHeadBytes);
  std::size_t offset = 0;
  while (offset < bytes.size()) {
    const std::size_t n = next_piece_size(seed, bytes.size() - offset, 23);
    std::string_view input = bytes.substr(offset, n);
    offset += n;
    while (!input.empty()) {
      proxy::FramerEvent event = framer.feed(input);
      const std::size_t used = proxy::consumed(event);
      if (used > input.size()) __builtin_trap();
      if (auto* failed = std::get_if<proxy::framer_event::Failed>(&event)) {
        out.failure = failed->message;
        return out;
      }
      if (auto* head = std::get_if<proxy::framer_event::Head>(&event)) {
        out.statuses.push_back(head->head.status);
        out.raw_heads.push_back(head->raw);
        out.forwarded += head->raw;
        if (head->head.framing == http::ResponseFraming::kSwitchingProtocols) out.switched_protocols = true;
      } else if (std::holds_alternative<proxy::framer_event::Body>(event)) {
        out.forwarded.append(input.substr(0, used));
      } else if (used != input.size()) {
        __builtin_trap();  // NeedMore takes everything
      }
      input.remove_prefix(used);
      if (framer.done()) {
        ++out.responses;
        // After a 101 the connection is a raw stream: the session stops framing.
        if (out.switched_protocols) return out;
        framer.start(request_was_head, kMaxHeadBytes);
      } else if (used == 0 && !input.empty()) {
        __builtin_trap();  // input left, nothing taken, response not over
      }
    }
  }
  const auto ended = framer.end_of_input();
  out.end = ended ? "ok" : ended.error().message;
  if (ended) ++out.responses;  // a body that runs until the engine closes
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const bool request_was_head = (data[0] & 1U) != 0;
  const std::uint32_t seed = data[0] >> 1;
  const std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);

  const Outcome whole = run(bytes, request_was_head, 0);
  const Outcome split = run(bytes, request_was_head, seed | 1U);
  if (whole.failure || split.failure) {
    // Bytes before the refusal may go out in more pieces when split; the
    // refusal itself must not move.
    if (whole.failure != split.failure || whole.statuses != split.statuses) __builtin_trap();
  } else if (!(whole == split)) {
    __builtin_trap();
  }

  for (const Outcome* outcome : {&whole, &split}) {
    if (bytes.substr(0, outcome->forwarded.size()) != outcome->forwarded) __builtin_trap();
  }

  for (const std::string& raw : whole.raw_heads) {
    http::ResponseHeadParser parser(http::ResponseHeadOptions{request_was_head, kMaxHeadBytes});
    const http::ResponseEvent again = parser.feed(raw);
    const auto* done = std::get_if<http::response_event::Done>(&again);
    if (done == nullptr || done->consumed != raw.size()) __builtin_trap();
  }
  return 0;
}
