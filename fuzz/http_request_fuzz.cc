// Feeds arbitrary bytes to RequestParser in pseudo-random splits and checks:
// - the outcome does not depend on how the bytes were split;
// - whatever parses re-serialises and re-parses to the same canonical
//   request (buffered), or to the same head and body (streamed).
// Input layout: byte 0 chooses the mode (bit 0: stream every body) and
// seeds the split sizes; the rest is the connection's bytes.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "split_sizes.h"
#include "moatd/http/request_parser.h"
#include "moatd/http/serialize.h"

namespace {

using namespace moat::moatd::http;

struct Item {
  std::optional<CanonicalRequest> request;  // Complete, or HeadComplete head
  std::string streamed_body;
  std::optional<Refusal> refusal;
  bool operator==(const Item&) const = default;
};

// The re-parse of what would be forwarded gets roomier limits: canonical
// percent-encoding may make a request line or head longer than the one that
// was accepted, and that is not a difference in meaning.
ParserOptions options_for(bool stream, bool roomy = false) {
  ParserOptions options;
  const unsigned factor = roomy ? 4U : 1U;
  options.max_body_bytes = 1U << 16;
  options.max_head_bytes = factor * (1U << 14);
  options.max_request_line = factor * (1U << 12);
  if (stream) options.stream_body = [](const CanonicalRequest&) { return true; };
  return options;
}

// Runs a whole connection; split sizes come from a small linear generator.
std::vector<Item> run(std::string_view bytes, bool stream, std::uint32_t seed, bool roomy = false) {
  RequestParser parser(options_for(stream, roomy));
  std::vector<Item> items;
  Item current;
  bool in_stream = false;
  std::size_t offset = 0;
  while (offset < bytes.size()) {
    const std::size_t n = next_piece_size(seed, bytes.size() - offset, 17);
    std::string_view input = bytes.substr(offset, n);
    offset += n;
    while (!input.empty()) {
      ParseEvent event = parser.feed(input);
      const std::size_t used = consumed(event);
      if (used > input.size()) __builtin_trap();
      input.remove_prefix(used);
      if (auto* complete = std::get_if<event::Complete>(&event)) {
        current.request = std::move(complete->request);
        items.push_back(std::move(current));
        current = Item{};
        parser.reset();
      } else if (auto* head = std::get_if<event::HeadComplete>(&event)) {
        current.request = std::move(head->head);
        in_stream = true;
      } else if (auto* piece = std::get_if<event::BodyPiece>(&event)) {
        if (!in_stream || piece->data.empty()) __builtin_trap();
        current.streamed_body.append(piece->data);
        if (piece->last) {
          items.push_back(std::move(current));
          current = Item{};
          in_stream = false;
          parser.reset();
        }
      } else if (std::holds_alternative<event::BodyComplete>(event)) {
        if (!in_stream) __builtin_trap();
        items.push_back(std::move(current));
        current = Item{};
        in_stream = false;
        parser.reset();
      } else if (auto* refused = std::get_if<event::Refused>(&event)) {
        current.refusal = refused->refusal;
        items.push_back(std::move(current));
        return items;
      } else {
        if (!input.empty()) __builtin_trap();  // NeedMore takes everything
        break;
      }
    }
  }
  return items;  // an unfinished request at the end is not reported
}

// The bytes moatd would forward for a finished item.
std::string forwarded(const Item& item) {
  const CanonicalRequest& r = *item.request;
  if (!r.body_streamed) return serialize_request(r);
  std::string out = serialize_head(r);
  if (r.framing == BodyFraming::kChunked) {
    out += encode_chunk(item.streamed_body);
    out += last_chunk();
  } else {
    out += item.streamed_body;
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const bool stream = (data[0] & 1U) != 0;
  const std::uint32_t seed = data[0] >> 1;
  const std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);

  const std::vector<Item> whole = run(bytes, stream, 0);
  const std::vector<Item> split = run(bytes, stream, seed | 1U);
  if (whole != split) __builtin_trap();

  for (const Item& item : whole) {
    if (!item.request || item.refusal) continue;
    CanonicalRequest expected = *item.request;
    expected.expect_continue = false;  // answered by the proxy, never forwarded
    const std::string again_bytes = forwarded(item);
    const std::vector<Item> again = run(again_bytes, stream, 0, true);
    if (again.size() != 1 || !again[0].request || again[0].refusal) __builtin_trap();
    if (!(*again[0].request == expected)) __builtin_trap();
    if (again[0].streamed_body != item.streamed_body) __builtin_trap();
    // The canonical form is a fixed point.
    if (forwarded(again[0]) != again_bytes) __builtin_trap();
  }
  return 0;
}
