#include "moatd/proxy/response_framer.h"

#include <gtest/gtest.h>

namespace moat::moatd::proxy {
namespace {

// Feeds `raw` in pieces of `piece` bytes; returns what would be forwarded
// (head raw bytes and body bytes, in order) and whether the response ended.
struct Relayed {
  std::string forwarded;
  bool done = false;
  std::string failure;
  std::size_t used = 0;
  int heads = 0;
};

Relayed relay(ResponseFramer& f, std::string_view raw, std::size_t piece) {
  Relayed out;
  std::size_t offset = 0;
  while (offset < raw.size() && !out.done && out.failure.empty()) {
    std::string_view input = raw.substr(offset, std::min(piece, raw.size() - offset));
    while (!input.empty() && !out.done && out.failure.empty()) {
      FramerEvent e = f.feed(input);
      const std::size_t n = consumed(e);
      if (auto* head = std::get_if<framer_event::Head>(&e)) {
        out.forwarded += head->raw;
        ++out.heads;
        out.done = head->done;
      } else if (auto* body = std::get_if<framer_event::Body>(&e)) {
        out.forwarded += input.substr(0, n);
        out.done = body->done;
      } else if (auto* failed = std::get_if<framer_event::Failed>(&e)) {
        out.failure = failed->message;
      }
      input.remove_prefix(n);
      offset += n;
      out.used += n;
    }
  }
  return out;
}

class FramerPieces : public ::testing::TestWithParam<std::size_t> {};

TEST_P(FramerPieces, ContentLengthEndsExactlyAndLeavesTheNextBytes) {
  const std::string response = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nApi-Version: 1.41\r\n\r\nhello";
  ResponseFramer f;
  f.start(false);
  const Relayed r = relay(f, response + "HTTP/1.1 200 OK", GetParam());
  EXPECT_TRUE(r.done);
  EXPECT_EQ(r.forwarded, response);
  EXPECT_EQ(r.used, response.size());
  EXPECT_TRUE(f.done());
}

TEST_P(FramerPieces, ChunkedIsForwardedWithItsFramingAndTrailers) {
  const std::string response =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\n{\"a\":\r\n3\r\n1}\n\r\n0\r\nX-Trailer: t\r\n\r\n";
  ResponseFramer f;
  f.start(false);
  const Relayed r = relay(f, response + "junk", GetParam());
  EXPECT_TRUE(r.done);
  EXPECT_EQ(r.forwarded, response);
  EXPECT_EQ(r.used, response.size());
}

TEST_P(FramerPieces, InterimHeadThenFinalHead) {
  const std::string response = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\nServer: x\r\n\r\n";
  ResponseFramer f;
  f.start(false);
  const Relayed r = relay(f, response, GetParam());
  EXPECT_TRUE(r.done);
  EXPECT_EQ(r.heads, 2);
  EXPECT_EQ(r.forwarded, response);
}

INSTANTIATE_TEST_SUITE_P(Pieces, FramerPieces, ::testing::Values(1, 3, 7, 1000));

TEST(ResponseFramer, SwitchingProtocolsEndsAtTheHead) {
  const std::string head =
      "HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\n"
      "Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n";
  ResponseFramer f;
  f.start(false);
  FramerEvent e = f.feed(head + std::string("\x01\0\0\0\0\0\0\x02hi", 10));
  auto* h = std::get_if<framer_event::Head>(&e);
  ASSERT_NE(h, nullptr);
  EXPECT_TRUE(h->done);
  EXPECT_EQ(h->consumed, head.size());
  EXPECT_EQ(h->head.framing, http::ResponseFraming::kSwitchingProtocols);
}

TEST(ResponseFramer, HijackWithoutUpgradeRunsUntilClose) {
  ResponseFramer f;
  f.start(false);
  const std::string raw = "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\n\r\nabc";
  const Relayed r = relay(f, raw, 100);
  EXPECT_FALSE(r.done);
  EXPECT_EQ(r.forwarded, raw);
  EXPECT_TRUE(f.end_of_input().has_value());
  EXPECT_TRUE(f.done());
}

TEST(ResponseFramer, HeadRequestHasNoBodyDespiteContentLength) {
  ResponseFramer f;
  f.start(true);
  const std::string response = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n";
  const Relayed r = relay(f, response, 100);
  EXPECT_TRUE(r.done);
  EXPECT_EQ(r.forwarded, response);
}

TEST(ResponseFramer, EndOfInputSaysWhatWasMissing) {
  ResponseFramer f;
  f.start(false);
  auto nothing = f.end_of_input();
  ASSERT_FALSE(nothing.has_value());
  EXPECT_EQ(nothing.error().message, "the engine closed the connection without answering");

  f.start(false);
  (void)f.feed("HTTP/1.1 200");
  auto half_head = f.end_of_input();
  ASSERT_FALSE(half_head.has_value());
  EXPECT_EQ(half_head.error().message, "the engine closed the connection in the middle of the response head");

  f.start(false);
  (void)relay(f, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", 100);
  auto short_body = f.end_of_input();
  ASSERT_FALSE(short_body.has_value());
  EXPECT_EQ(short_body.error().message, "the engine closed the connection 7 bytes before the end of the response body");

  f.start(false);
  (void)relay(f, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n", 100);
  auto open_chunks = f.end_of_input();
  ASSERT_FALSE(open_chunks.has_value());
  EXPECT_EQ(open_chunks.error().message,
            "the engine closed the connection before the last chunk of the response body");
}

TEST(ResponseFramer, MalformedHeadAndChunksFail) {
  ResponseFramer f;
  f.start(false);
  const Relayed bad_head = relay(f, "HTTP/2 200 OK\r\n\r\n", 100);
  EXPECT_EQ(bad_head.failure, "malformed response from the engine: malformed status line \"HTTP/2 200 OK\"");

  f.start(false);
  const Relayed bad_chunk = relay(f, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 100);
  EXPECT_EQ(bad_chunk.failure.rfind("malformed chunked response body from the engine: ", 0), 0U)
      << bad_chunk.failure;
}

TEST(ResponseFramer, SplicedBytesAreSkipped) {
  ResponseFramer f;
  f.start(false);
  (void)relay(f, "HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n0123456789", 1000);
  ASSERT_EQ(f.content_length_left(), std::optional<std::uint64_t>(999990));
  f.skip_body(999989);
  EXPECT_EQ(f.content_length_left(), std::optional<std::uint64_t>(1));
  FramerEvent e = f.feed("xyz");
  auto* body = std::get_if<framer_event::Body>(&e);
  ASSERT_NE(body, nullptr);
  EXPECT_EQ(body->consumed, 1U);
  EXPECT_TRUE(body->done);
  EXPECT_EQ(f.content_length_left(), std::nullopt);
}

}  // namespace
}  // namespace moat::moatd::proxy
