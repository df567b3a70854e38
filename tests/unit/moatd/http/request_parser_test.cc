#include "moatd/http/request_parser.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "moatd/http/serialize.h"
#include "parse_helpers.h"

namespace moat::moatd::http {
namespace {

using test_support::feed_in_pieces;
using test_support::Outcome;
using test_support::read_fixture;

CanonicalRequest parse_ok(const std::string& raw, const ParserOptions& options = {}) {
  const Outcome outcome = feed_in_pieces(raw, 0, options);
  EXPECT_FALSE(outcome.refusal) << outcome.refusal->message;
  EXPECT_TRUE(outcome.request.has_value());
  EXPECT_EQ(outcome.consumed, raw.size());
  return outcome.request.value_or(CanonicalRequest{});
}

// Exact bytes of the Docker 28.2.2 CLI (tests/fixtures/http/cli28_*.raw).
TEST(RequestParser, CliPingRoundTripsByteForByte) {
  const std::string raw = read_fixture("cli28_ping.raw");
  ASSERT_EQ(raw,
            "HEAD /_ping HTTP/1.1\r\nHost: api.moby.localhost\r\n"
            "User-Agent: Docker-Client/28.2.2 (linux)\r\n\r\n");
  const CanonicalRequest request = parse_ok(raw);
  EXPECT_EQ(request.method, "HEAD");
  EXPECT_FALSE(request.api_version.has_value());
  EXPECT_EQ(request.segments, std::vector<std::string>{"_ping"});
  EXPECT_TRUE(request.keep_alive);
  EXPECT_EQ(serialize_request(request), raw);
}

TEST(RequestParser, CliContainersJsonRoundTripsByteForByte) {
  const std::string raw = read_fixture("cli28_containers_json.raw");
  const CanonicalRequest request = parse_ok(raw);
  EXPECT_EQ(request.method, "GET");
  ASSERT_TRUE(request.api_version.has_value());
  EXPECT_EQ(request.api_version->major, 1U);
  EXPECT_EQ(request.api_version->minor, 41U);
  EXPECT_EQ(request.segments, (std::vector<std::string>{"containers", "json"}));
  EXPECT_EQ(request.path(), "/v1.41/containers/json");
  EXPECT_EQ(serialize_request(request), raw);
}

TEST(RequestParser, CliContainerCreateIsForwardedWithItsOwnContentLength) {
  const std::string raw = read_fixture("cli28_container_create.raw");
  const CanonicalRequest request = parse_ok(raw);
  const std::string body = raw.substr(raw.find("\r\n\r\n") + 4);
  ASSERT_EQ(body.size(), 2133U);
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.path(), "/v1.41/containers/create");
  ASSERT_EQ(request.query.size(), 1U);
  EXPECT_EQ(request.query[0], (QueryParam{"name", "c1"}));
  EXPECT_EQ(request.body, body);
  EXPECT_EQ(request.framing, BodyFraming::kContentLength);
  EXPECT_EQ(request.content_length, 2133U);
  EXPECT_EQ(*request.header("content-type"), "application/json");
  EXPECT_EQ(serialize_request(request),
            "POST /v1.41/containers/create?name=c1 HTTP/1.1\r\n"
            "Host: api.moby.localhost\r\n"
            "User-Agent: Docker-Client/28.2.2 (linux)\r\n"
            "Content-Type: application/json\r\n"
            "Content-Length: 2133\r\n\r\n" +
                body);
}

TEST(RequestParser, CliExecStartWithUpgradeIsRecognised) {
  const std::string raw = read_fixture("cli28_exec_start_upgrade.raw");
  const CanonicalRequest request = parse_ok(raw);
  EXPECT_TRUE(request.upgrade);
  EXPECT_EQ(request.upgrade_protocol, "tcp");
  // Go's json.Encoder ends the body with a newline.
  EXPECT_EQ(request.body, "{\"Detach\":false,\"Tty\":false}\n");
  EXPECT_EQ(serialize_request(request),
            "POST /v1.41/exec/e1/start HTTP/1.1\r\n"
            "Host: api.moby.localhost\r\n"
            "User-Agent: Docker-Client/28.2.2 (linux)\r\n"
            "Content-Type: application/json\r\n"
            "Connection: Upgrade\r\n"
            "Upgrade: tcp\r\n"
            "Content-Length: 29\r\n\r\n"
            "{\"Detach\":false,\"Tty\":false}\n");
}

class CliFixture : public ::testing::TestWithParam<const char*> {};

TEST_P(CliFixture, ParsesTheSameInAnySplitAndRoundTrips) {
  const std::string raw = read_fixture(GetParam());
  ASSERT_FALSE(raw.empty());
  const CanonicalRequest whole = parse_ok(raw);
  for (const std::size_t piece : {std::size_t{1}, std::size_t{2}, std::size_t{13}}) {
    const Outcome split = feed_in_pieces(raw, piece);
    ASSERT_TRUE(split.request.has_value()) << "piece " << piece;
    EXPECT_EQ(*split.request, whole) << "piece " << piece;
    EXPECT_EQ(split.consumed, raw.size());
  }
  const CanonicalRequest again = parse_ok(serialize_request(whole));
  EXPECT_EQ(again, whole);
}

INSTANTIATE_TEST_SUITE_P(Docker28, CliFixture,
                         ::testing::Values("cli28_ping.raw", "cli28_containers_json.raw",
                                           "cli28_container_create.raw",
                                           "cli28_container_create_full.raw",
                                           "cli28_exec_create.raw",
                                           "cli28_exec_start_upgrade.raw",
                                           "cli28_volume_create.raw", "cli28_network_create.raw",
                                           "cli28_container_update.raw"));

TEST(RequestParser, ChunkedBodyIsDecodedAndReframedWithContentLength) {
  const std::string raw =
      "POST /v1.41/containers/create HTTP/1.1\r\nHost: docker\r\n"
      "Transfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n"
      "A\r\n{\"Image\":\"\r\n7\r\nalpine\"\r\n1\r\n}\r\n0\r\n\r\n";
  const CanonicalRequest request = parse_ok(raw);
  EXPECT_EQ(request.body, "{\"Image\":\"alpine\"}");
  EXPECT_EQ(request.framing, BodyFraming::kContentLength);
  EXPECT_EQ(serialize_request(request),
            "POST /v1.41/containers/create HTTP/1.1\r\nHost: docker\r\n"
            "Content-Type: application/json\r\nContent-Length: 18\r\n\r\n"
            "{\"Image\":\"alpine\"}");
}

TEST(RequestParser, ChunkSizesAcceptUpperAndLowerHexAndLeadingZeros) {
  const std::string raw =
      "PUT /v1.41/containers/c1/archive?path=%2Ftmp HTTP/1.1\r\nHost: docker\r\n"
      "Transfer-Encoding: chunked\r\n\r\n"
      "000B\r\nhello world\r\n0b\r\nhello world\r\n0\r\n\r\n";
  const CanonicalRequest request = parse_ok(raw);
  EXPECT_EQ(request.body, "hello worldhello world");
  ASSERT_EQ(request.query.size(), 1U);
  EXPECT_EQ(request.query[0].value, "/tmp");
}

TEST(RequestParser, EmptyChunkedBodyBecomesNoBody) {
  const CanonicalRequest request =
      parse_ok("POST /v1.41/containers/c1/start HTTP/1.1\r\nHost: d\r\n"
               "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
  EXPECT_EQ(request.body, "");
  EXPECT_EQ(request.framing, BodyFraming::kNone);
  EXPECT_EQ(serialize_request(request),
            "POST /v1.41/containers/c1/start HTTP/1.1\r\nHost: d\r\nContent-Length: 0\r\n\r\n");
}

TEST(RequestParser, BodyExactlyAtTheLimitIsAccepted) {
  ParserOptions options;
  options.max_body_bytes = 10;
  const CanonicalRequest request =
      parse_ok("POST /v1.41/volumes/create HTTP/1.1\r\nHost: d\r\nContent-Length: 10\r\n\r\n"
               "0123456789",
               options);
  EXPECT_EQ(request.body, "0123456789");
}

// A build context moatd reads for its Dockerfile has a limit of its own,
// and a 413 for it says why.
ParserOptions with_build_limit() {
  ParserOptions options;
  options.max_body_bytes = 4;
  options.buffered_body_limit = [](const CanonicalRequest& head) -> std::optional<ParserOptions::BodyLimit> {
    if (head.segments != std::vector<std::string>{"build"}) return std::nullopt;
    return ParserOptions::BodyLimit{10, "the context is read to check its Dockerfile"};
  };
  return options;
}

TEST(RequestParser, AHeadMayHaveItsOwnBufferedBodyLimit) {
  const CanonicalRequest request = parse_ok(
      "POST /v1.41/build HTTP/1.1\r\nHost: d\r\nContent-Length: 10\r\n\r\n0123456789", with_build_limit());
  EXPECT_EQ(request.body, "0123456789");
  EXPECT_FALSE(request.body_streamed);
}

TEST(RequestParser, ARefusalOverAHeadsOwnLimitSaysWhy) {
  Outcome outcome = feed_in_pieces(
      "POST /v1.41/build HTTP/1.1\r\nHost: d\r\nContent-Length: 11\r\n\r\n01234567890", 0, with_build_limit());
  ASSERT_TRUE(outcome.refusal.has_value());
  EXPECT_EQ(outcome.refusal->status, 413);
  EXPECT_EQ(outcome.refusal->message,
            "body of 11 bytes exceeds the limit of 10 bytes; it is refused, not truncated; the context is read to "
            "check its Dockerfile");
  // Chunked: refused when the body passes the limit.
  outcome = feed_in_pieces(
      "POST /v1.41/build HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: chunked\r\n\r\n6\r\n012345\r\n"
      "6\r\n678901\r\n0\r\n\r\n",
      5, with_build_limit());
  ASSERT_TRUE(outcome.refusal.has_value());
  EXPECT_EQ(outcome.refusal->status, 413);
  EXPECT_TRUE(outcome.refusal->message.ends_with("; the context is read to check its Dockerfile"))
      << outcome.refusal->message;
  // Other heads keep max_body_bytes and its plain text.
  outcome = feed_in_pieces(
      "POST /v1.41/volumes/create HTTP/1.1\r\nHost: d\r\nContent-Length: 5\r\n\r\n{\"a\"}", 0, with_build_limit());
  ASSERT_TRUE(outcome.refusal.has_value());
  EXPECT_EQ(outcome.refusal->message, "body of 5 bytes exceeds the limit of 4 bytes; it is refused, not truncated");
}

TEST(RequestParser, ContentLengthWithLeadingZerosIsPlainDecimal) {
  const CanonicalRequest request =
      parse_ok("POST /v1.41/volumes/create HTTP/1.1\r\nHost: d\r\nContent-Length: 002\r\n\r\n{}");
  EXPECT_EQ(request.body, "{}");
  EXPECT_EQ(serialize_request(request),
            "POST /v1.41/volumes/create HTTP/1.1\r\nHost: d\r\nContent-Length: 2\r\n\r\n{}");
}

TEST(RequestParser, ContentLengthZeroOnGetIsAllowedAndDropped) {
  const CanonicalRequest request =
      parse_ok("GET /_ping HTTP/1.1\r\nHost: d\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(serialize_request(request), "GET /_ping HTTP/1.1\r\nHost: d\r\n\r\n");
}

TEST(RequestParser, ContentLengthZeroLeavesTheRestForTheNextRequest) {
  // CVE-2024-41110 shape: the bytes after the head are not this body.
  const std::string head =
      "POST /v1.41/containers/create HTTP/1.1\r\nHost: d\r\nContent-Length: 0\r\n\r\n";
  const std::string raw = head + "{\"HostConfig\":{\"Privileged\":true}}";
  RequestParser parser;
  const ParseEvent event = parser.feed(raw);
  const auto* complete = std::get_if<event::Complete>(&event);
  ASSERT_NE(complete, nullptr);
  EXPECT_EQ(complete->request.body, "");
  EXPECT_EQ(complete->consumed, head.size());
}

TEST(RequestParser, HeaderNamesAreLowerCasedAndValuesTrimmed) {
  const CanonicalRequest request = parse_ok(
      "GET /v1.41/images/json HTTP/1.1\r\nHOST:docker \r\nuser-agent: \t x/1 \t\r\n"
      "X-Registry-Auth: e30=\r\n\r\n");
  ASSERT_EQ(request.headers.size(), 3U);
  EXPECT_EQ(request.headers[0], (Header{"host", "docker"}));
  EXPECT_EQ(request.headers[1], (Header{"user-agent", "x/1"}));
  EXPECT_EQ(request.headers[2], (Header{"x-registry-auth", "e30="}));
  EXPECT_EQ(serialize_request(request),
            "GET /v1.41/images/json HTTP/1.1\r\nHost: docker\r\nUser-Agent: x/1\r\n"
            "X-Registry-Auth: e30=\r\n\r\n");
}

TEST(RequestParser, HopByHopAndUnknownHeadersAreNotForwarded) {
  const CanonicalRequest request = parse_ok(
      "GET /_ping HTTP/1.1\r\nHost: d\r\nAccept-Encoding: gzip\r\nKeep-Alive: 5\r\n"
      "TE: trailers\r\nProxy-Connection: close\r\nAuthorization: Basic eA==\r\n"
      "X-Forwarded-For: 1.2.3.4\r\nConnection: keep-alive\r\n\r\n");
  EXPECT_EQ(serialize_request(request), "GET /_ping HTTP/1.1\r\nHost: d\r\n\r\n");
}

TEST(RequestParser, AnyHostValueIsAccepted) {
  EXPECT_EQ(*parse_ok("GET /_ping HTTP/1.1\r\nHost: docker\r\n\r\n").header("host"), "docker");
  EXPECT_EQ(*parse_ok("GET /_ping HTTP/1.1\r\nHost:\r\n\r\n").header("host"), "");
}

TEST(RequestParser, BuildKitSessionMayRepeatGrpcMethodHeaders) {
  const CanonicalRequest request = parse_ok(
      "POST /session HTTP/1.1\r\nHost: d\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n"
      "X-Docker-Expose-Session-Uuid: u1\r\n"
      "X-Docker-Expose-Session-Grpc-Method: /a\r\n"
      "X-Docker-Expose-Session-Grpc-Method: /b\r\n\r\n");
  EXPECT_TRUE(request.upgrade);
  EXPECT_EQ(request.upgrade_protocol, "h2c");
  ASSERT_EQ(request.headers.size(), 4U);
  EXPECT_EQ(request.headers[3], (Header{"x-docker-expose-session-grpc-method", "/b"}));
}

TEST(RequestParser, KeepAliveFollowsVersionAndConnection) {
  EXPECT_TRUE(parse_ok("GET /_ping HTTP/1.1\r\nHost: d\r\n\r\n").keep_alive);
  EXPECT_FALSE(parse_ok("GET /_ping HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n").keep_alive);
  EXPECT_FALSE(parse_ok("GET /_ping HTTP/1.0\r\n\r\n").keep_alive);
  const CanonicalRequest http10 = parse_ok("GET /_ping HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n");
  EXPECT_TRUE(http10.keep_alive);
  EXPECT_EQ(serialize_request(http10), "GET /_ping HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  const CanonicalRequest closing =
      parse_ok("GET /_ping HTTP/1.1\r\nHost: d\r\nConnection: ,close,\r\n\r\n");
  EXPECT_EQ(serialize_request(closing), "GET /_ping HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n");
}

TEST(RequestParser, ExpectContinueIsFlaggedAndNotForwarded) {
  const CanonicalRequest request =
      parse_ok("POST /v1.41/containers/create HTTP/1.1\r\nHost: d\r\nExpect: 100-Continue\r\n"
               "Content-Length: 2\r\n\r\n{}");
  EXPECT_TRUE(request.expect_continue);
  EXPECT_EQ(serialize_request(request),
            "POST /v1.41/containers/create HTTP/1.1\r\nHost: d\r\nContent-Length: 2\r\n\r\n{}");
}

TEST(RequestParser, ExpectContinueHeadArrivesBeforeTheBody) {
  // The client waits for 100 Continue: the parser must not need the body to
  // finish the head, so the proxy can answer.
  ParserOptions options;
  options.stream_body = [](const CanonicalRequest& head) { return head.expect_continue; };
  RequestParser parser(options);
  const std::string head =
      "POST /v1.41/containers/create HTTP/1.1\r\nHost: d\r\nExpect: 100-continue\r\n"
      "Content-Length: 2\r\n\r\n";
  const ParseEvent event = parser.feed(head);
  const auto* started = std::get_if<event::HeadComplete>(&event);
  ASSERT_NE(started, nullptr);
  EXPECT_TRUE(started->head.expect_continue);
  EXPECT_EQ(started->consumed, head.size());
}

TEST(RequestParser, QueryIsDecodedLikeGoAndReEncodedCanonically) {
  const CanonicalRequest request = parse_ok(
      "GET /v1.41/containers/json?all=1&filters=%7B%22label%22%3A%5B%22a%3Db%22%5D%7D"
      "&x=a+b%2Bc&&flag&x=2 HTTP/1.1\r\nHost: d\r\n\r\n");
  ASSERT_EQ(request.query.size(), 5U);
  EXPECT_EQ(request.query[0], (QueryParam{"all", "1"}));
  EXPECT_EQ(request.query[1], (QueryParam{"filters", "{\"label\":[\"a=b\"]}"}));
  EXPECT_EQ(request.query[2], (QueryParam{"x", "a b+c"}));
  EXPECT_EQ(request.query[3], (QueryParam{"flag", ""}));
  EXPECT_EQ(request.query[4], (QueryParam{"x", "2"}));
  EXPECT_EQ(request.target(),
            "/v1.41/containers/json?all=1&filters=%7B%22label%22%3A%5B%22a%3Db%22%5D%7D"
            "&x=a%20b%2Bc&flag=&x=2");
}

TEST(RequestParser, EmptyQueryIsDropped) {
  EXPECT_EQ(parse_ok("GET /_ping? HTTP/1.1\r\nHost: d\r\n\r\n").target(), "/_ping");
}

TEST(RequestParser, PathsWithoutVersionAndOrdinaryVSegmentsAreKept) {
  EXPECT_EQ(parse_ok("GET /version HTTP/1.1\r\nHost: d\r\n\r\n").segments,
            std::vector<std::string>{"version"});
  const CanonicalRequest volumes = parse_ok("GET /v1.41/volumes/v1 HTTP/1.1\r\nHost: d\r\n\r\n");
  EXPECT_EQ(volumes.segments, (std::vector<std::string>{"volumes", "v1"}));
  const CanonicalRequest image =
      parse_ok("GET /v1.24/images/registry:5000/library/alpine:3.19/json HTTP/1.1\r\nHost: d\r\n\r\n");
  EXPECT_EQ(image.api_version, (ApiVersion{1, 24}));
  EXPECT_EQ(image.path(), "/v1.24/images/registry:5000/library/alpine:3.19/json");
  EXPECT_EQ(parse_ok("GET / HTTP/1.1\r\nHost: d\r\n\r\n").path(), "/");
}

TEST(RequestParser, PipelinedRequestsAreParsedOneAtATime) {
  const std::string first = "GET /_ping HTTP/1.1\r\nHost: d\r\n\r\n";
  const std::string second =
      "POST /v1.41/containers/c1/start HTTP/1.1\r\nHost: d\r\nContent-Length: 0\r\n\r\n";
  const std::string raw = first + second;
  RequestParser parser;
  std::string_view input = raw;
  ParseEvent event = parser.feed(input);
  ASSERT_TRUE(std::holds_alternative<event::Complete>(event));
  EXPECT_EQ(consumed(event), first.size());
  input.remove_prefix(consumed(event));
  parser.reset();
  event = parser.feed(input);
  const auto* complete = std::get_if<event::Complete>(&event);
  ASSERT_NE(complete, nullptr);
  EXPECT_EQ(complete->request.path(), "/v1.41/containers/c1/start");
  EXPECT_EQ(complete->consumed, second.size());
}

TEST(RequestParser, NeedMoreUntilTheBodyArrives) {
  RequestParser parser;
  const std::string head = "POST /v1.41/volumes/create HTTP/1.1\r\nHost: d\r\nContent-Length: 4\r\n\r\n";
  ParseEvent event = parser.feed(head);
  ASSERT_TRUE(std::holds_alternative<event::NeedMore>(event));
  EXPECT_EQ(consumed(event), head.size());
  event = parser.feed("{}");
  ASSERT_TRUE(std::holds_alternative<event::NeedMore>(event));
  event = parser.feed("{}GET");
  const auto* complete = std::get_if<event::Complete>(&event);
  ASSERT_NE(complete, nullptr);
  EXPECT_EQ(complete->request.body, "{}{}");
  EXPECT_EQ(complete->consumed, 2U);
}

TEST(RequestParser, RefusalIsFinal) {
  RequestParser parser;
  const ParseEvent first = parser.feed("GET /a//b HTTP/1.1\r\nHost: d\r\n\r\n");
  ASSERT_TRUE(std::holds_alternative<event::Refused>(first));
  EXPECT_TRUE(parser.refused());
  const ParseEvent again = parser.feed("GET /_ping HTTP/1.1\r\nHost: d\r\n\r\n");
  const auto* refused = std::get_if<event::Refused>(&again);
  ASSERT_NE(refused, nullptr);
  EXPECT_EQ(refused->refusal.message, "connection already refused");
}

// --- streaming mode ---

ParserOptions streaming_options() {
  ParserOptions options;
  options.max_body_bytes = 16;  // streamed bodies are not bound by this
  options.stream_body = [](const CanonicalRequest& head) {
    return head.segments == std::vector<std::string>{"images", "load"};
  };
  return options;
}

struct Streamed {
  std::optional<CanonicalRequest> head;
  std::string body;
  int pieces = 0;
  bool complete = false;
  std::optional<Refusal> refusal;
};

Streamed stream(const std::string& raw, std::size_t piece, const ParserOptions& options) {
  RequestParser parser(options);
  Streamed out;
  for (std::size_t offset = 0; offset < raw.size() && !out.complete && !out.refusal;) {
    const std::size_t n = std::min(piece, raw.size() - offset);
    std::string_view input = std::string_view(raw).substr(offset, n);
    offset += n;
    while (!input.empty() && !out.complete && !out.refusal) {
      const ParseEvent event = parser.feed(input);
      input.remove_prefix(consumed(event));
      if (const auto* h = std::get_if<event::HeadComplete>(&event)) out.head = h->head;
      if (const auto* p = std::get_if<event::BodyPiece>(&event)) {
        out.body.append(p->data);
        ++out.pieces;
        out.complete = p->last;
      }
      if (std::holds_alternative<event::BodyComplete>(event)) out.complete = true;
      if (const auto* r = std::get_if<event::Refused>(&event)) out.refusal = r->refusal;
      if (std::holds_alternative<event::NeedMore>(event)) break;
    }
  }
  return out;
}

TEST(RequestParser, StreamedChunkedBodyIsHandedOutDecodedInPieces) {
  std::string archive(100, 'x');
  archive += "end";
  const std::string raw = "POST /v1.41/images/load?quiet=1 HTTP/1.1\r\nHost: d\r\n"
                          "Content-Type: application/x-tar\r\nTransfer-Encoding: chunked\r\n\r\n"
                          "64\r\n" + std::string(100, 'x') + "\r\n3\r\nend\r\n0\r\n\r\n";
  for (const std::size_t piece : {std::size_t{1}, std::size_t{5}, raw.size()}) {
    const Streamed s = stream(raw, piece, streaming_options());
    ASSERT_FALSE(s.refusal) << s.refusal->message;
    ASSERT_TRUE(s.head.has_value());
    EXPECT_TRUE(s.complete);
    EXPECT_EQ(s.body, archive);
    EXPECT_TRUE(s.head->body_streamed);
    EXPECT_EQ(s.head->framing, BodyFraming::kChunked);
    EXPECT_EQ(s.head->body, "");
    EXPECT_EQ(serialize_head(*s.head),
              "POST /v1.41/images/load?quiet=1 HTTP/1.1\r\nHost: d\r\n"
              "Content-Type: application/x-tar\r\nTransfer-Encoding: chunked\r\n\r\n");
  }
}

TEST(RequestParser, StreamedContentLengthBodyKeepsItsLength) {
  const std::string body(40, 'y');
  const std::string raw = "POST /v1.41/images/load HTTP/1.1\r\nHost: d\r\nContent-Length: 40\r\n\r\n" + body;
  const Streamed s = stream(raw, 3, streaming_options());
  ASSERT_TRUE(s.head.has_value());
  EXPECT_TRUE(s.complete);
  EXPECT_EQ(s.body, body);
  EXPECT_EQ(s.pieces, 14);  // 3-byte pieces of the input, the first after the head
  EXPECT_EQ(serialize_head(*s.head),
            "POST /v1.41/images/load HTTP/1.1\r\nHost: d\r\nContent-Length: 40\r\n\r\n");
}

TEST(RequestParser, StreamedBodyOverItsOwnLimitIsRefused) {
  ParserOptions options = streaming_options();
  options.max_streamed_body_bytes = 50;
  const Streamed s = stream(
      "POST /v1.41/images/load HTTP/1.1\r\nHost: d\r\nContent-Length: 51\r\n\r\n", 64, options);
  ASSERT_TRUE(s.refusal.has_value());
  EXPECT_EQ(s.refusal->status, 413);
  EXPECT_EQ(s.refusal->message,
            "body of 51 bytes exceeds the limit of 50 bytes; it is refused, not truncated");
}

TEST(RequestParser, StreamedChunkedBodyWithBadFramingIsRefusedMidway) {
  const Streamed s = stream(
      "POST /v1.41/images/load HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: chunked\r\n\r\n"
      "2\r\nab\r\n2;x\r\ncd\r\n0\r\n\r\n",
      4, streaming_options());
  EXPECT_EQ(s.body, "ab");
  ASSERT_TRUE(s.refusal.has_value());
  EXPECT_EQ(s.refusal->message, "chunk extension in \"2;x\" is not accepted; send the bare chunk size");
}

TEST(RequestParser, EndpointsNotChosenForStreamingStayBuffered) {
  const Outcome outcome = feed_in_pieces(
      "POST /v1.41/containers/create HTTP/1.1\r\nHost: d\r\nContent-Length: 17\r\n\r\n"
      "{\"Image\":\"alpine\"",
      0, streaming_options());
  ASSERT_TRUE(outcome.refusal.has_value());
  EXPECT_EQ(outcome.refusal->status, 413);
}

TEST(RequestParser, EncodeChunkReframesStreamedPieces) {
  EXPECT_EQ(encode_chunk("hello"), "5\r\nhello\r\n");
  EXPECT_EQ(encode_chunk(std::string(255, 'a')), "ff\r\n" + std::string(255, 'a') + "\r\n");
  EXPECT_EQ(encode_chunk(""), "");
  EXPECT_EQ(last_chunk(), "0\r\n\r\n");
  // What the proxy forwards parses back to the same body.
  const std::string forwarded = "POST /v1.41/images/load HTTP/1.1\r\nHost: d\r\n"
                                "Transfer-Encoding: chunked\r\n\r\n" +
                                encode_chunk("abc") + encode_chunk("defg") + std::string(last_chunk());
  const Streamed s = stream(forwarded, forwarded.size(), streaming_options());
  EXPECT_EQ(s.body, "abcdefg");
  EXPECT_TRUE(s.complete);
}

TEST(RequestParser, CanonicalHeaderNames) {
  EXPECT_EQ(canonical_header_name("x-registry-auth"), "X-Registry-Auth");
  EXPECT_EQ(canonical_header_name("host"), "Host");
  EXPECT_EQ(canonical_header_name("x-docker-expose-session-grpc-method"),
            "X-Docker-Expose-Session-Grpc-Method");
}

}  // namespace
}  // namespace moat::moatd::http
