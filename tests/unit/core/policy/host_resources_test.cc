#include "core/policy/host_resources.h"

#include <gtest/gtest.h>

#include "policy_test_support.h"

namespace moat::core::policy {
namespace {

using test_support::create_with;
using test_support::json;
using test_support::kNoRemedy;
using test_support::PolicyHarness;
using test_support::request;

TEST(CgroupParent, IsRefused) {
  PolicyHarness h;
  EXPECT_EQ(h.decide(create_with({{"CgroupParent", "/system.slice"}})).message(),
            std::string("Moat refused this request: --cgroup-parent /system.slice is not allowed: "
                        "containers stay in the cgroup tree the engine gives them, where their "
                        "limits apply (rule container.cgroup-parent).") +
                kNoRemedy);
}

TEST(CgroupParent, EmptyIsFine) {
  PolicyHarness h;
  EXPECT_TRUE(h.decide(create_with({{"CgroupParent", ""}})).allowed);
}

TEST(CgroupParent, IsRefusedInAnUpdate) {
  PolicyHarness h;
  EXPECT_EQ(h.decide(request("POST", "containers/c1/update", json{{"CgroupParent", "x"}})).rule,
            "container.cgroup-parent");
}

TEST(OomScoreAdj, NegativeIsRefused) {
  PolicyHarness h;
  EXPECT_EQ(h.decide(create_with({{"OomScoreAdj", -1000}})).message(),
            std::string("Moat refused this request: --oom-score-adj -1000 is not allowed: a "
                        "negative score would have the kernel kill host processes before the "
                        "container's when memory runs out (rule container.oom-score-adj).") +
                kNoRemedy);
}

TEST(OomScoreAdj, ZeroAndPositiveAreFine) {
  PolicyHarness h;
  EXPECT_TRUE(h.decide(create_with({{"OomScoreAdj", 0}})).allowed);
  EXPECT_TRUE(h.decide(create_with({{"OomScoreAdj", 500}})).allowed);
}

TEST(OomScoreAdj, ANonIntegerIsMalformed) {
  PolicyHarness h;
  EXPECT_EQ(h.decide(create_with({{"OomScoreAdj", 1.5}})).reason,
            "the request body member /HostConfig/OomScoreAdj is not a 64-bit integer");
}

TEST(ResourceLimits, UlimitsPortsAndInitAreFine) {
  PolicyHarness h;
  EXPECT_TRUE(
      h.decide(
           create_with({{"Ulimits", {{{"Name", "nofile"}, {"Soft", 1024}, {"Hard", 2048}}}},
                        {"PortBindings", {{"80/tcp", {{{"HostIp", ""}, {"HostPort", "8080"}}}}}},
                        {"Init", true},
                        {"Memory", 1 << 30},
                        {"PidsLimit", 100}}))
          .allowed);
}

TEST(ResourceLimits, UpdatesOfResourcesAndRestartPolicyAreFine) {
  PolicyHarness h;
  const auto d = h.decide(request(
      "POST", "containers/c1/update",
      json{{"Memory", 1 << 28}, {"CpuShares", 512}, {"RestartPolicy", {{"Name", "always"}}}}));
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.rule, "container.update");
}

}  // namespace
}  // namespace moat::core::policy
