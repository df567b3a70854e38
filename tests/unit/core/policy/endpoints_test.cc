#include "core/policy/endpoints.h"

#include <gtest/gtest.h>

#include "policy_test_support.h"

namespace moat::core::policy {
namespace {

using test_support::json;
using test_support::PolicyHarness;
using test_support::request;
using test_support::segments_of;

struct AllowedCase {
  const char* method;
  const char* path;
  const char* rule;
};

class AllowedEndpoint : public ::testing::TestWithParam<AllowedCase> {};

TEST_P(AllowedEndpoint, IsAllowedUnderItsRule) {
  PolicyHarness h;
  const auto& c = GetParam();
  const auto d = h.decide(request(c.method, c.path));
  EXPECT_TRUE(d.allowed) << d.message();
  EXPECT_EQ(d.rule, c.rule);
}

INSTANTIATE_TEST_SUITE_P(
    DockerCli, AllowedEndpoint,
    ::testing::Values(
        AllowedCase{"GET", "_ping", "system.ping"}, AllowedCase{"HEAD", "_ping", "system.ping"},
        AllowedCase{"GET", "version", "system.version"}, AllowedCase{"GET", "info", "system.info"},
        AllowedCase{"GET", "events", "system.events"}, AllowedCase{"GET", "system/df", "system.df"},
        AllowedCase{"POST", "auth", "system.auth"},
        AllowedCase{"GET", "containers/json", "container.list"},
        AllowedCase{"POST", "containers/create", "container.create"},
        AllowedCase{"GET", "containers/c1/json", "container.inspect"},
        AllowedCase{"GET", "containers/c1/top", "container.top"},
        AllowedCase{"GET", "containers/c1/logs", "container.logs"},
        AllowedCase{"GET", "containers/c1/changes", "container.changes"},
        AllowedCase{"GET", "containers/c1/export", "container.export"},
        AllowedCase{"GET", "containers/c1/stats", "container.stats"},
        AllowedCase{"POST", "containers/c1/resize", "container.resize"},
        AllowedCase{"POST", "containers/c1/start", "container.start"},
        AllowedCase{"POST", "containers/c1/stop", "container.stop"},
        AllowedCase{"POST", "containers/c1/restart", "container.restart"},
        AllowedCase{"POST", "containers/c1/kill", "container.kill"},
        AllowedCase{"POST", "containers/c1/update", "container.update"},
        AllowedCase{"POST", "containers/c1/rename", "container.rename"},
        AllowedCase{"POST", "containers/c1/pause", "container.pause"},
        AllowedCase{"POST", "containers/c1/unpause", "container.unpause"},
        AllowedCase{"POST", "containers/c1/attach", "container.attach"},
        AllowedCase{"GET", "containers/c1/attach/ws", "container.attach"},
        AllowedCase{"POST", "containers/c1/wait", "container.wait"},
        AllowedCase{"DELETE", "containers/c1", "container.delete"},
        AllowedCase{"HEAD", "containers/c1/archive", "container.archive"},
        AllowedCase{"GET", "containers/c1/archive", "container.archive"},
        AllowedCase{"PUT", "containers/c1/archive", "container.archive"},
        AllowedCase{"POST", "containers/prune", "container.prune"},
        AllowedCase{"POST", "containers/c1/exec", "exec.create"},
        AllowedCase{"POST", "exec/e1/start", "exec.start"},
        AllowedCase{"POST", "exec/e1/resize", "exec.resize"},
        AllowedCase{"GET", "exec/e1/json", "exec.inspect"},
        AllowedCase{"POST", "commit", "container.commit"},
        AllowedCase{"GET", "images/json", "image.list"},
        AllowedCase{"GET", "images/library/alpine:3.20/json", "image.inspect"},
        AllowedCase{"GET", "images/alpine/history", "image.history"},
        AllowedCase{"POST", "images/registry.example.com:5000/team/app/push", "image.push"},
        AllowedCase{"POST", "images/alpine/tag", "image.tag"},
        AllowedCase{"DELETE", "images/team/app:1", "image.delete"},
        AllowedCase{"GET", "images/search", "image.search"},
        AllowedCase{"GET", "images/get", "image.save"},
        AllowedCase{"GET", "images/alpine/get", "image.save"},
        AllowedCase{"POST", "images/load", "image.load"},
        AllowedCase{"POST", "images/prune", "image.prune"}, AllowedCase{"POST", "build", "build"},
        AllowedCase{"POST", "build/prune", "build.prune"},
        AllowedCase{"POST", "build/cancel", "build.cancel"},
        AllowedCase{"POST", "session", "build.session"},
        AllowedCase{"GET", "volumes", "volume.list"},
        AllowedCase{"POST", "volumes/create", "volume.create"},
        AllowedCase{"GET", "volumes/v1", "volume.inspect"},
        AllowedCase{"DELETE", "volumes/v1", "volume.delete"},
        AllowedCase{"POST", "volumes/prune", "volume.prune"},
        AllowedCase{"GET", "networks", "network.list"},
        AllowedCase{"POST", "networks/create", "network.create"},
        AllowedCase{"GET", "networks/n1", "network.inspect"},
        AllowedCase{"DELETE", "networks/n1", "network.delete"},
        AllowedCase{"POST", "networks/n1/connect", "network.connect"},
        AllowedCase{"POST", "networks/n1/disconnect", "network.disconnect"},
        AllowedCase{"POST", "networks/prune", "network.prune"},
        AllowedCase{"GET", "distribution/docker.io/library/alpine:latest/json",
                    "image.distribution"}));

TEST(Endpoints, PullIsImageCreateWithFromImage) {
  PolicyHarness h;
  const auto d = h.decide(
      request("POST", "images/create", std::nullopt, {{"fromImage", "alpine"}, {"tag", "3.20"}}));
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.rule, "image.pull");
}

struct UnknownCase {
  const char* method;
  const char* path;
  const char* shown;
};

class UnknownEndpoint : public ::testing::TestWithParam<UnknownCase> {};

TEST_P(UnknownEndpoint, IsRefusedWithMethodAndPath) {
  PolicyHarness h;
  const auto& c = GetParam();
  const auto d = h.decide(request(c.method, c.path));
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.rule, "endpoint.unknown");
  EXPECT_EQ(d.message(), std::string("Moat refused this request: ") + c.method + " " + c.shown +
                             " is not an endpoint Moat knows (rule endpoint.unknown). Nothing an "
                             "admin can change allows this.");
}

INSTANTIATE_TEST_SUITE_P(
    Refused, UnknownEndpoint,
    ::testing::Values(UnknownCase{"POST", "foo/bar", "/foo/bar"},
                      UnknownCase{"GET", "containers/create", "/containers/create"},
                      UnknownCase{"POST", "containers/c1/copy", "/containers/c1/copy"},
                      UnknownCase{"PATCH", "containers/c1/json", "/containers/c1/json"},
                      UnknownCase{"GET", "containers//json", "/containers//json"},
                      UnknownCase{"GET", "containers/../json", "/containers/../json"},
                      UnknownCase{"DELETE", "images", "/images"}, UnknownCase{"GET", "", "/"},
                      UnknownCase{"POST", "containers/c1/start/extra",
                                  "/containers/c1/start/extra"}));

TEST(Endpoints, UnknownPathIsCutShortInTheMessage) {
  PolicyHarness h;
  const std::string long_name(300, 'a');
  const auto d = h.decide(request("GET", "x/" + long_name));
  EXPECT_EQ(d.reason, "GET /x/" + long_name.substr(0, 197) + "... is not an endpoint Moat knows");
}

TEST(Endpoints, BodyOnAnEndpointWithoutOneIsRefused) {
  PolicyHarness h;
  const auto d = h.decide(
      request("POST", "containers/c1/start", json{{"HostConfig", {{"Privileged", true}}}}));
  EXPECT_EQ(d.message(),
            "Moat refused this request: POST /containers/c1/start with a request body is not "
            "allowed: this endpoint takes none (rule endpoint.unexpected-body). Nothing an admin "
            "can change allows this.");
}

TEST(Endpoints, NullBodyOnAnEndpointWithoutOneIsFine) {
  PolicyHarness h;
  EXPECT_TRUE(h.decide(request("POST", "containers/c1/start", json(nullptr))).allowed);
}

TEST(Endpoints, BodyKinds) {
  EXPECT_EQ(body_kind("POST", segments_of("containers/create")), BodyKind::kJson);
  EXPECT_EQ(body_kind("POST", segments_of("containers/c1/update")), BodyKind::kJson);
  EXPECT_EQ(body_kind("POST", segments_of("containers/c1/exec")), BodyKind::kJson);
  EXPECT_EQ(body_kind("POST", segments_of("exec/e1/start")), BodyKind::kJson);
  EXPECT_EQ(body_kind("POST", segments_of("volumes/create")), BodyKind::kJson);
  EXPECT_EQ(body_kind("POST", segments_of("networks/create")), BodyKind::kJson);
  EXPECT_EQ(body_kind("POST", segments_of("images/load")), BodyKind::kStream);
  EXPECT_EQ(body_kind("POST", segments_of("images/create")), BodyKind::kStream);
  EXPECT_EQ(body_kind("POST", segments_of("build")), BodyKind::kStream);
  EXPECT_EQ(body_kind("PUT", segments_of("containers/c1/archive")), BodyKind::kStream);
  EXPECT_EQ(body_kind("POST", segments_of("plugins/create")), BodyKind::kStream);
  EXPECT_EQ(body_kind("GET", segments_of("containers/c1/archive")), BodyKind::kNone);
  EXPECT_EQ(body_kind("POST", segments_of("containers/c1/start")), BodyKind::kNone);
  EXPECT_EQ(body_kind("POST", segments_of("nothing/here")), BodyKind::kNone);
}

TEST(Endpoints, PatternsMatchWholeSegments) {
  EXPECT_TRUE(pattern_matches("containers/*/json", segments_of("containers/abc/json")));
  EXPECT_FALSE(pattern_matches("containers/*/json", segments_of("containers/a/b/json")));
  EXPECT_TRUE(pattern_matches("images/+/json", segments_of("images/a/b/c/json")));
  EXPECT_FALSE(pattern_matches("images/+/json", segments_of("images/json")));
  EXPECT_TRUE(pattern_matches("images/+", segments_of("images/a/b")));
  EXPECT_FALSE(pattern_matches("images/+", segments_of("images/a/../b")));
  EXPECT_FALSE(pattern_matches("containers/json", segments_of("containers/json/x")));
}

TEST(Endpoints, OnlyPlainReadsOfTheEnginesStateMayGoBeforeTheirRecord) {
  EXPECT_TRUE(only_reads_engine_state("GET", "system.ping"));
  EXPECT_TRUE(only_reads_engine_state("HEAD", "system.ping"));
  EXPECT_TRUE(only_reads_engine_state("GET", "container.list"));
  EXPECT_TRUE(only_reads_engine_state("GET", "image.inspect"));
  // Streams, archives, attach, the runtime, registries, and any change.
  for (const char* rule : {"system.events", "container.logs", "container.stats", "container.export",
                           "container.archive", "container.attach", "container.top", "image.save",
                           "image.search", "image.distribution", "endpoint.plugins", "endpoint.swarm"}) {
    EXPECT_FALSE(only_reads_engine_state("GET", rule)) << rule;
  }
  EXPECT_FALSE(only_reads_engine_state("POST", "container.list"));
  EXPECT_FALSE(only_reads_engine_state("DELETE", "image.inspect"));
  // Each such rule belongs to GET or HEAD endpoints only, all allowed
  // without a judge, so an allowed decision under it is one of them.
  for (const auto& e : endpoint_table()) {
    if (!only_reads_engine_state("GET", e.rule)) continue;
    EXPECT_TRUE(e.method == "GET" || e.method == "HEAD") << e.method << " " << e.pattern;
    EXPECT_EQ(e.judge, nullptr) << e.pattern;
    EXPECT_EQ(e.body, BodyKind::kNone) << e.pattern;
  }
}

TEST(Endpoints, EveryEntryHasAMethodAPatternAndARule) {
  for (const auto& e : endpoint_table()) {
    EXPECT_FALSE(e.method.empty());
    EXPECT_FALSE(e.pattern.empty());
    EXPECT_FALSE(e.rule.empty()) << e.pattern;
  }
}

}  // namespace
}  // namespace moat::core::policy
