#include "moatd/audit_summary.h"

#include <gtest/gtest.h>

namespace moat::moatd {
namespace {

http::CanonicalRequest request(std::string method, std::vector<std::string> segments, std::string body = "") {
  http::CanonicalRequest r;
  r.method = std::move(method);
  r.api_version = http::ApiVersion{1, 41};
  r.segments = std::move(segments);
  r.body = std::move(body);
  return r;
}

TEST(AuditSummary, CreateKeepsTheBodyButNotEnvironmentValues) {
  auto r = request("POST", {"containers", "create"}, R"({"Env":["TOKEN=secret","PLAIN"],"Image":"busybox"})");
  r.query.push_back({"name", "web"});
  EXPECT_EQ(audit_summary(r),
            "POST /v1.41/containers/create?name=web {\"Env\":[\"TOKEN=\u2026\",\"PLAIN\"],\"Image\":\"busybox\"}");
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
