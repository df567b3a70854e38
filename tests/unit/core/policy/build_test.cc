#include "core/policy/build.h"

#include <gtest/gtest.h>

#include "support/tar_archive.h"
#include "policy_test_support.h"

namespace moat::core::policy {
namespace {

using test_support::kNoRemedy;
using test_support::PolicyHarness;
using test_support::request;

Decision build(PolicyHarness& h, std::vector<std::pair<std::string, std::string>> query) {
  return h.decide(request("POST", "build", std::nullopt, std::move(query)));
}

TEST(Build, AnOrdinaryBuildIsAllowed) {
  PolicyHarness h;
  const auto d = build(
      h, {{"t", "app:dev"}, {"dockerfile", "Dockerfile"}, {"networkmode", "default"}, {"rm", "1"}});
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.rule, "build");
}

TEST(Build, BuildKitWithAClientSessionIsAllowed) {
  PolicyHarness h;
  EXPECT_TRUE(
      build(h,
            {{"version", "2"}, {"remote", "client-session"}, {"session", "abc"}, {"buildid", "b1"}})
          .allowed);
}

TEST(Build, HostNetworkIsRefused) {
  PolicyHarness h;
  EXPECT_EQ(build(h, {{"networkmode", "host"}}).message(),
            std::string("Moat refused this request: docker build --network=host is not allowed: "
                        "build steps would share the host's network namespace (rule "
                        "build.network-host).") +
                kNoRemedy);
}

TEST(Build, AHostNetworkAfterAnotherValueIsStillRefused) {
  PolicyHarness h;
  EXPECT_EQ(build(h, {{"networkmode", "default"}, {"networkmode", "host"}}).rule,
            "build.network-host");
}

TEST(Build, AnotherContainersNetworkIsRefused) {
  PolicyHarness h;
  EXPECT_EQ(build(h, {{"networkmode", "container:db"}}).reason,
            "docker build --network=container:db is not allowed: build steps would join another "
            "container's network namespace");
}

TEST(Build, ARemoteContextIsRefused) {
  PolicyHarness h;
  EXPECT_EQ(build(h, {{"remote", "https://github.com/example/app.git#main"}}).message(),
            std::string("Moat refused this request: docker build from "
                        "https://github.com/example/app.git#main is not allowed: the engine "
                        "would fetch a build context Moat cannot check; fetch it first and build "
                        "from a local directory (rule build.remote).") +
                kNoRemedy);
}

TEST(Build, ACgroupParentIsRefused) {
  PolicyHarness h;
  EXPECT_EQ(build(h, {{"cgroupparent", "/"}}).reason,
            "docker build --cgroup-parent / is not allowed: containers stay in the cgroup tree "
            "the engine gives them, where their limits apply");
}

// With moat.registryAccess on, the Dockerfile in the context is read.
class BuildWithRegistryAccess : public ::testing::Test {
 protected:
  BuildWithRegistryAccess() {
    h.set("moat.registryAccess", test_support::json::array({{{"address", "corp.example"}, {"pull", true}},
                                                            {{"address", "files.corp.example"}}}));
  }

  Decision build_of(const std::string& dockerfile, std::vector<std::pair<std::string, std::string>> query = {},
                    const std::string& name = "Dockerfile") {
    archive = testing_support::tar::archive(
        {testing_support::tar::file("src/main.c", "int main;"), testing_support::tar::file(name, dockerfile)});
    ApiRequest r = request("POST", "build", std::nullopt, std::move(query));
    r.archive = archive;
    return h.decide(r);
  }

  PolicyHarness h;
  std::string archive;
};

TEST_F(BuildWithRegistryAccess, AllowedWhenEveryImageAndUrlIsOnAnAllowedRegistry) {
  const auto d = build_of(
      "ARG TAG=1\nFROM corp.example/base:${TAG} AS build\nRUN make\nFROM corp.example/runtime\n"
      "COPY --from=build /app /app\nCOPY --from=corp.example/tools /t /t\n"
      "ADD https://files.corp.example/data.tgz /data\nFROM scratch\n");
  EXPECT_TRUE(d.allowed) << d.message();
  EXPECT_EQ(d.rule, "build");
}

TEST_F(BuildWithRegistryAccess, AFromOnAnotherRegistryIsRefusedWithItsLine) {
  EXPECT_EQ(build_of("FROM corp.example/base AS b\nFROM busybox\n").message(),
            "Moat refused this request: docker build: Dockerfile line 2 (FROM busybox): registry access to "
            "docker.io is not allowed (setting moat.registryAccess). An admin can allow it by adding "
            "{\"address\": \"docker.io\", \"pull\": true} to moat.registryAccess in admin-settings.json.");
}

TEST_F(BuildWithRegistryAccess, BuildArgsAreResolvedAsTheBuilderResolvesThem) {
  const std::string file = "ARG REGISTRY=corp.example\nFROM ${REGISTRY}/base\n";
  EXPECT_TRUE(build_of(file).allowed);
  EXPECT_EQ(build_of(file, {{"buildargs", R"({"REGISTRY":"evil.example"})"}}).reason,
            "docker build: Dockerfile line 2 (FROM evil.example/base): registry access to evil.example is not "
            "allowed");
  // Given without a value: the default stays.
  EXPECT_TRUE(build_of(file, {{"buildargs", R"({"REGISTRY":null})"}}).allowed);
  // Not declared by an ARG: the builder ignores it.
  EXPECT_TRUE(build_of("FROM corp.example/base${X}\n", {{"buildargs", R"({"X":"@evil"})"}}).allowed);
}

TEST_F(BuildWithRegistryAccess, CopyFromAnImageAndAddUrlAreJudged) {
  EXPECT_EQ(build_of("FROM corp.example/a\nCOPY --from=evil.example/tools /t /t\n").reason,
            "docker build: Dockerfile line 2 (COPY --from evil.example/tools): registry access to evil.example "
            "is not allowed");
  EXPECT_EQ(build_of("FROM corp.example/a\nADD https://evil.example/x.tgz /x\n").reason,
            "docker build: Dockerfile line 2 (ADD https://evil.example/x.tgz): registry access to evil.example "
            "is not allowed");
}

TEST_F(BuildWithRegistryAccess, TheDockerfileParameterNamesTheFile) {
  EXPECT_EQ(build_of("FROM busybox\n", {{"dockerfile", "build/app.Dockerfile"}}, "build/app.Dockerfile").rule,
            "registry.not-allowed");
  EXPECT_TRUE(
      build_of("FROM corp.example/a\n", {{"dockerfile", "build/app.Dockerfile"}}, "build/app.Dockerfile").allowed);
}

TEST_F(BuildWithRegistryAccess, WhatCannotBeReadIsRefused) {
  const auto d = build_of("FROM corp.example/a\n", {{"dockerfile", "missing"}});
  EXPECT_EQ(d.rule, "build.dockerfile-unreadable");
  EXPECT_EQ(build_of("ARG A=x\nFROM ${A/x/y}\n").rule, "build.dockerfile-unreadable");
  EXPECT_EQ(build_of("FROM corp.example/a\n", {{"buildargs", "[1]"}}).message(),
            "Moat refused this request: docker build is not allowed: its buildargs parameter is not a JSON "
            "object, and while moat.registryAccess is on Moat must read the Dockerfile to check which registries "
            "the build pulls from (setting moat.registryAccess). Nothing an admin can change allows this.");
  EXPECT_EQ(build_of("FROM corp.example/a\n", {{"dockerfile", "Dockerfile"}, {"dockerfile", "other"}}).reason,
            "docker build is not allowed: the request gives dockerfile more than once, and while "
            "moat.registryAccess is on Moat must read the Dockerfile to check which registries the build pulls "
            "from");
}

TEST_F(BuildWithRegistryAccess, AContextMoatdDidNotReadIsRefused) {
  EXPECT_EQ(build(h, {{"t", "app"}}).reason,
            "docker build is not allowed: moatd did not read this build's context, and while moat.registryAccess "
            "is on Moat must read the Dockerfile to check which registries the build pulls from");
}

TEST_F(BuildWithRegistryAccess, BuildKitIsRefusedBecauseItsDockerfileIsOutOfSight) {
  const auto d = build(h, {{"version", "2"}, {"remote", "client-session"}, {"session", "abc"}});
  EXPECT_EQ(d.rule, "build.buildkit-unchecked");
  EXPECT_EQ(d.reason,
            "docker build with BuildKit is not allowed while moat.registryAccess is on: BuildKit fetches the "
            "Dockerfile over its own session, so Moat cannot check which registries it pulls from; build with "
            "DOCKER_BUILDKIT=0");
}

TEST_F(BuildWithRegistryAccess, OnlyThenIsTheContextRead) {
  EXPECT_TRUE(h.with_context([](const PolicyContext& c) { return build_context_must_be_read(c); }));
  PolicyHarness off;
  EXPECT_FALSE(off.with_context([](const PolicyContext& c) { return build_context_must_be_read(c); }));
}

}  // namespace
}  // namespace moat::core::policy
