#include "core/policy/build.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace moat::core::policy
