#include "moatd/audit_summary.h"

#include <gtest/gtest.h>

namespace moat::moatd {
namespace {

http::CanonicalRequest request(std::string method, std::vector<std::string> segments, std::string body = "",
                               bool canonical = true) {
  http::CanonicalRequest r;
  r.method = std::move(method);
  r.api_version = http::ApiVersion{1, 41};
  r.segments = std::move(segments);
  r.body = std::move(body);
  r.body_canonical = canonical;
  return r;
}

TEST(AuditSummary, CreateKeepsTheBodyButNotEnvironmentValues) {
  auto r = request("POST", {"containers", "create"}, R"({"Env":["TOKEN=secret","PLAIN"],"Image":"busybox"})");
  r.query.push_back({"name", "web"});
  EXPECT_EQ(audit_summary(r),
            "POST /v1.41/containers/create?name=web {\"Env\":[\"TOKEN=\u2026\",\"PLAIN\"],\"Image\":\"busybox\"}");
}

// Bodies with no environment value to redact are shown as forwarded: the
// same bytes the parse-and-write path gives.
TEST(AuditSummary, BodiesWithoutEnvironmentValuesAreShownAsForwarded) {
  const std::string quoted_key = R"({"Cmd":["echo","\"Env\":[\"X=1\"]"],"Env":[],"Image":"b"})";
  for (const std::string& body : {std::string(R"({"Env":[],"Image":"b"})"), std::string(R"({"Env":null,"Image":"b"})"),
                                  std::string(R"({"Image":"b","Labels":{"a":"é"}})"), quoted_key}) {
    EXPECT_EQ(audit_summary(request("POST", {"containers", "create"}, body)), "POST /v1.41/containers/create " + body);
  }
  const std::string large = R"({"Cmd":[")" + std::string(9000, 'x') + R"("],"Env":[]})";
  EXPECT_EQ(audit_summary(request("POST", {"containers", "create"}, large)),
            "POST /v1.41/containers/create " + large.substr(0, 8192) + "\u2026 (truncated)");
  // A nested Env with values takes the full path, which redacts only the
  // top level, as before.
  const std::string nested = R"({"HostConfig":{"Env":["A=1"]},"Image":"b"})";
  EXPECT_EQ(audit_summary(request("POST", {"containers", "create"}, nested)), "POST /v1.41/containers/create " + nested);
}

// A body refused before moatd made it canonical is never taken as written:
// spacing must not hide an environment value, and a malformed body is
// noted by size.
TEST(AuditSummary, BodiesNotMadeCanonicalTakeTheFullPath) {
  const std::string spaced = R"({"Env": ["TOKEN=secret"], "Image": "b"})";
  EXPECT_EQ(audit_summary(request("POST", {"containers", "create"}, spaced, false)),
            "POST /v1.41/containers/create {\"Env\":[\"TOKEN=\u2026\"],\"Image\":\"b\"}");
  EXPECT_EQ(audit_summary(request("POST", {"containers", "create"}, R"({"Image": )", false)),
            "POST /v1.41/containers/create (body 10 bytes)");
}

// From the document the policy judged, the values the engine assumes anyway
// are left out, array elements all stay, and environment values are still
// redacted.
TEST(AuditSummary, FromTheJudgedDocumentLeavesOutZeroValues) {
  const auto body = nlohmann::json::parse(
      R"({"Cmd":["sh","-c","",0,null],"Env":["TOKEN=secret","PLAIN"],"Hostname":"",)"
      R"("HostConfig":{"Binds":["/:/host"],"CapAdd":null,"CpuShares":-2,"LogConfig":{"Config":{},"Type":""},)"
      R"("Memory":0,"NanoCpus":1.5,"PidMode":"","Privileged":true},"Image":"busybox","Labels":{},"Tty":false})");
  auto r = request("POST", {"containers", "create"}, body.dump());
  r.query.push_back({"name", "web"});
  EXPECT_EQ(audit_summary(r, body),
            "POST /v1.41/containers/create?name=web {\"Cmd\":[\"sh\",\"-c\",\"\",0,null],"
            "\"Env\":[\"TOKEN=\u2026\",\"PLAIN\"],\"HostConfig\":{\"Binds\":[\"/:/host\"],\"CpuShares\":-2,"
            "\"NanoCpus\":1.5,\"Privileged\":true},\"Image\":\"busybox\"}");
  const auto zero = nlohmann::json::parse(R"({"Env":[],"HostConfig":{"Privileged":false},"Image":""})");
  EXPECT_EQ(audit_summary(request("POST", {"containers", "create"}, zero.dump()), zero),
            "POST /v1.41/containers/create {}");
  const auto escaped = nlohmann::json::parse(R"({"Labels":{"a\"b":"line\nnext \u00e9"}})");
  EXPECT_EQ(audit_summary(request("POST", {"containers", "create"}, escaped.dump()), escaped),
            "POST /v1.41/containers/create " + escaped.dump());
  // An object element of an array stays whole when all of it is zero, and
  // is written lean otherwise; a member object all of whose members (at any
  // depth) are zero is left out, with its comma.
  const auto nested = nlohmann::json::parse(
      R"({"HostConfig":{"Mounts":[{"ReadOnly":false},{"ReadOnly":false,"Source":"a"}],)"
      R"("RestartPolicy":{"MaximumRetryCount":0,"Name":{"x":""}},"Privileged":true}})");
  EXPECT_EQ(audit_summary(request("POST", {"containers", "create"}, nested.dump()), nested),
            "POST /v1.41/containers/create {\"HostConfig\":{\"Mounts\":[{\"ReadOnly\":false},"
            "{\"Source\":\"a\"}],\"Privileged\":true}}");
  // Bodies the summary does not show fall back to the text rules.
  EXPECT_EQ(audit_summary(request("POST", {"auth"}, R"({"password":"p"})"), nlohmann::json{{"password", "p"}}),
            "POST /v1.41/auth (body 16 bytes)");
}

TEST(AuditSummary, CredentialsAndArchivesAreNotedBySizeOnly) {
  EXPECT_EQ(audit_summary(request("POST", {"auth"}, R"({"password":"p"})")), "POST /v1.41/auth (body 16 bytes)");
  auto load = request("POST", {"images", "load"});
  load.body_streamed = true;
  EXPECT_EQ(audit_summary(load), "POST /v1.41/images/load (streamed body)");
}

TEST(AuditSummary, ContainerIsTakenFromThePath) {
  EXPECT_EQ(audited_container(request("POST", {"containers", "abc", "start"})), "abc");
  EXPECT_EQ(audited_container(request("DELETE", {"containers", "abc"})), "abc");
  EXPECT_EQ(audited_container(request("POST", {"containers", "create"})), std::nullopt);
  EXPECT_EQ(audited_container(request("GET", {"containers", "json"})), std::nullopt);
}

}  // namespace
}  // namespace moat::moatd
