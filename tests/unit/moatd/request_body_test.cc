#include "moatd/request_body.h"

#include <gtest/gtest.h>

namespace moat::moatd {
namespace {

http::CanonicalRequest post(std::vector<std::string> segments, std::string body) {
  http::CanonicalRequest r;
  r.method = "POST";
  r.api_version = http::ApiVersion{1, 41};
  r.segments = std::move(segments);
  r.body = std::move(body);
  r.framing = http::BodyFraming::kContentLength;
  r.content_length = r.body.size();
  return r;
}

TEST(RequestBody, CreateBodyIsRewrittenToItsCanonicalTextWithItsOwnLength) {
  auto r = post({"containers", "create"}, "{ \"Image\" : \"busybox\",\n \"Cmd\": \"true\" }");
  auto body = canonicalize_request_body(r);
  ASSERT_TRUE(body) << body.error().message;
  ASSERT_TRUE(body->has_value());
  EXPECT_EQ(r.body, R"({"Cmd":["true"],"Image":"busybox"})");
  EXPECT_EQ(r.content_length, r.body.size());
  EXPECT_EQ(**body, nlohmann::json::parse(r.body));
}

TEST(RequestBody, CaseFoldedFieldIsRefusedWithItsPlace) {
  auto r = post({"containers", "create"}, R"({"Image":"busybox","HostConfig":{"privileged":true}})");
  auto body = canonicalize_request_body(r);
  ASSERT_FALSE(body);
  EXPECT_EQ(body.error().rule, "request.body-not-canonical");
  EXPECT_NE(body.error().message.find("Moat refused the body of POST /v1.41/containers/create: "),
            std::string::npos)
      << body.error().message;
  EXPECT_NE(body.error().message.find(
                "key \"privileged\" at /HostConfig matches field \"Privileged\" only under Go's case-insensitive"),
            std::string::npos)
      << body.error().message;
}

TEST(RequestBody, LongSFoldingIsRefused) {
  // "Binds" with its s written as U+017F LATIN SMALL LETTER LONG S: Go's
  // encoding/json would decode it into Binds.
  auto r = post({"containers", "create"}, "{\"Image\":\"b\",\"HostConfig\":{\"Bind\xC5\xBF\":[\"/:/h\"]}}");
  auto body = canonicalize_request_body(r);
  ASSERT_FALSE(body);
  EXPECT_EQ(body.error().rule, "request.body-not-canonical");
}

TEST(RequestBody, DuplicateKeysAndTrailingBytesAreRefused) {
  auto dup = post({"containers", "create"}, R"({"Image":"a","Image":"b"})");
  ASSERT_FALSE(canonicalize_request_body(dup));
  auto trailing = post({"containers", "create"}, R"({"Image":"a"} {"Image":"b"})");
  auto body = canonicalize_request_body(trailing);
  ASSERT_FALSE(body);
  EXPECT_NE(body.error().message.find("it is not strict JSON"), std::string::npos) << body.error().message;
}

TEST(RequestBody, JsonBodyWithoutSchemaIsStrictAndRewritten) {
  auto r = post({"auth"}, "{\"username\": \"u\", \"password\": \"p\"}");
  auto body = canonicalize_request_body(r);
  ASSERT_TRUE(body);
  EXPECT_EQ(r.body, R"({"password":"p","username":"u"})");
  auto dup = post({"auth"}, R"({"username":"u","username":"v"})");
  EXPECT_FALSE(canonicalize_request_body(dup));
}

TEST(RequestBody, BodyOnAnEndpointThatTakesNoneIsRefused) {
  auto r = post({"containers", "abc", "start"}, "{}");
  auto body = canonicalize_request_body(r);
  ASSERT_FALSE(body);
  EXPECT_EQ(body.error().rule, "request.unexpected-body");
  EXPECT_EQ(body.error().message,
            "Moat refused POST /v1.41/containers/abc/start: this endpoint takes no body, and this request "
            "carries 2 bytes");
}

TEST(RequestBody, EndpointWithASchemaNeedsABody) {
  auto r = post({"containers", "create"}, "");
  auto body = canonicalize_request_body(r);
  ASSERT_FALSE(body);
  EXPECT_EQ(body.error().rule, "request.body-missing");
  EXPECT_EQ(body.error().message,
            "Moat refused POST /v1.41/containers/create: it needs a JSON body, and this request has none");
  auto auth = post({"auth"}, "");
  EXPECT_TRUE(canonicalize_request_body(auth));
}

TEST(RequestBody, UnknownEndpointAndStreamedBodiesAreLeftForThePolicy) {
  auto unknown = post({"nonsense"}, "not json");
  auto body = canonicalize_request_body(unknown);
  ASSERT_TRUE(body);
  EXPECT_FALSE(body->has_value());
  auto streamed = post({"images", "load"}, "");
  streamed.body_streamed = true;
  body = canonicalize_request_body(streamed);
  ASSERT_TRUE(body);
  EXPECT_FALSE(body->has_value());
}

}  // namespace
}  // namespace moat::moatd
