#include "moatd/http/response_head_parser.h"

#include <string>

#include <gtest/gtest.h>

#include "moatd/http/body_decoder.h"

namespace moat::moatd::http {
namespace {

ResponseHead parse_response(const std::string& raw, ResponseHeadOptions options = {}) {
  ResponseHeadParser parser(options);
  const ResponseEvent event = parser.feed(raw);
  const auto* done = std::get_if<response_event::Done>(&event);
  EXPECT_NE(done, nullptr);
  return done ? done->head : ResponseHead{};
}

TEST(ResponseHeadParser, ContentLengthResponse) {
  const std::string head =
      "HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nContent-Type: application/json\r\n"
      "Content-Length: 2\r\n\r\n";
  ResponseHeadParser parser;
  const ResponseEvent event = parser.feed(head + "[]");
  const auto* done = std::get_if<response_event::Done>(&event);
  ASSERT_NE(done, nullptr);
  EXPECT_EQ(done->consumed, head.size());
  EXPECT_EQ(done->head.status, 200);
  EXPECT_EQ(done->head.reason, "OK");
  EXPECT_EQ(done->head.framing, ResponseFraming::kContentLength);
  EXPECT_EQ(done->head.content_length, 2U);
  EXPECT_TRUE(done->head.keep_alive);
  EXPECT_EQ(*done->head.header("api-version"), "1.41");
}

TEST(ResponseHeadParser, ChunkedLogsAndEvents) {
  const ResponseHead head =
      parse_response("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n");
  EXPECT_EQ(head.framing, ResponseFraming::kChunked);
  EXPECT_EQ(head.content_length, 0U);
  EXPECT_TRUE(head.keep_alive);
}

TEST(ResponseHeadParser, SwitchingProtocolsIsAHijack) {
  const ResponseHead head = parse_response(
      "HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\n"
      "Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n");
  EXPECT_EQ(head.status, 101);
  EXPECT_EQ(head.framing, ResponseFraming::kSwitchingProtocols);
  EXPECT_FALSE(head.keep_alive);
  EXPECT_FALSE(head.informational());
}

TEST(ResponseHeadParser, HijackWithoutUpgradeRunsUntilClose) {
  const ResponseHead head = parse_response(
      "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\n\r\n");
  EXPECT_EQ(head.framing, ResponseFraming::kUntilClose);
  EXPECT_FALSE(head.keep_alive);
}

TEST(ResponseHeadParser, NoBodyStatusesAndHead) {
  EXPECT_EQ(parse_response("HTTP/1.1 204 No Content\r\n\r\n").framing, ResponseFraming::kNone);
  EXPECT_EQ(parse_response("HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n").framing,
            ResponseFraming::kNone);
  ResponseHeadOptions head_request;
  head_request.request_was_head = true;
  const ResponseHead ping = parse_response(
      "HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nContent-Length: 2\r\n\r\n", head_request);
  EXPECT_EQ(ping.framing, ResponseFraming::kNone);
  EXPECT_TRUE(ping.keep_alive);
  const ResponseHead cont = parse_response("HTTP/1.1 100 Continue\r\n\r\n");
  EXPECT_TRUE(cont.informational());
  EXPECT_EQ(cont.framing, ResponseFraming::kNone);
}

TEST(ResponseHeadParser, LenientLineEndingsAndFolding) {
  const ResponseHead head =
      parse_response("HTTP/1.0 200 OK\nX-A: a\n  b\nConnection: keep-alive\nContent-Length: 0\n\n");
  EXPECT_EQ(head.version, HttpVersion::kHttp10);
  EXPECT_EQ(*head.header("x-a"), "a b");
  EXPECT_EQ(head.framing, ResponseFraming::kNone);
  EXPECT_TRUE(head.keep_alive);
}

TEST(ResponseHeadParser, ConnectionCloseAndHttp10) {
  EXPECT_FALSE(parse_response("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\n")
                   .keep_alive);
  EXPECT_FALSE(parse_response("HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\n").keep_alive);
  EXPECT_EQ(parse_response("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n").framing,
            ResponseFraming::kUntilClose);
}

TEST(ResponseHeadParser, ByteByByte) {
  const std::string raw = "HTTP/1.1 201 Created\r\nContent-Length: 13\r\n\r\n{\"Id\":\"c0ff\"}";
  ResponseHeadParser parser;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const ResponseEvent event = parser.feed(std::string_view(raw).substr(i, 1));
    if (const auto* done = std::get_if<response_event::Done>(&event)) {
      EXPECT_EQ(i + 1, raw.find("\r\n\r\n") + 4);
      EXPECT_EQ(done->head.status, 201);
      EXPECT_EQ(done->head.reason, "Created");
      return;
    }
    ASSERT_TRUE(std::holds_alternative<response_event::NeedMore>(event));
  }
  FAIL() << "head never completed";
}

TEST(ResponseHeadParser, Failures) {
  const auto failure = [](const std::string& raw, ResponseHeadOptions options = {}) {
    ResponseHeadParser parser(options);
    const ResponseEvent event = parser.feed(raw);
    const auto* failed = std::get_if<response_event::Failed>(&event);
    return failed ? failed->message : std::string("no failure");
  };
  EXPECT_EQ(failure("HTTP/2 200 OK\r\n\r\n"), "malformed status line \"HTTP/2 200 OK\"");
  EXPECT_EQ(failure("HTTP/1.1 2000 OK\r\n\r\n"), "malformed status line \"HTTP/1.1 2000 OK\"");
  EXPECT_EQ(failure("HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n"),
            "response Content-Length \"x\" is not a decimal number");
  EXPECT_EQ(failure("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"),
            "response has conflicting Content-Length values");
  EXPECT_EQ(failure("HTTP/1.1 200 OK\r\nno colon\r\n\r\n"),
            "malformed response header line \"no colon\"");
  ResponseHeadOptions small;
  small.max_head_bytes = 16;
  EXPECT_EQ(failure("HTTP/1.1 200 OK\r\nX: 1\r\n\r\n", small), "response head larger than 16 bytes");
}

TEST(ResponseHeadParser, ChunkedResponseBodyEndsWithTrailersAllowed) {
  BodyDecoderOptions options;
  options.allow_trailers = true;
  BodyDecoder decoder = BodyDecoder::chunked(options);
  const std::string body = "4\r\nlogs\r\n0\r\nX-Trailer: 1\r\n\r\nHTTP/1.1";
  std::string_view input = body;
  std::string data;
  while (!decoder.done()) {
    const BodyDecoder::Step step = decoder.decode(input);
    ASSERT_FALSE(step.refused.has_value());
    data.append(step.data);
    input.remove_prefix(step.consumed);
  }
  EXPECT_EQ(data, "logs");
  EXPECT_EQ(input, "HTTP/1.1");
}

}  // namespace
}  // namespace moat::moatd::http
