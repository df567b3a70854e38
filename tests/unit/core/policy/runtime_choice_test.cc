#include "core/policy/runtime_choice.h"

#include <gtest/gtest.h>

#include "policy_test_support.h"

namespace moat::core::policy {
namespace {

using test_support::create_with;
using test_support::kNoRemedy;
using test_support::PolicyHarness;

class OtherRuntime : public ::testing::TestWithParam<const char*> {};

TEST_P(OtherRuntime, IsRefused) {
  PolicyHarness h;
  const std::string runtime = GetParam();
  EXPECT_EQ(h.decide(create_with({{"Runtime", runtime}})).message(),
            "Moat refused this request: --runtime " + runtime +
                " is not allowed: every container runs with Moat's runtime (runc) (rule "
                "container.runtime)." +
                kNoRemedy);
}

INSTANTIATE_TEST_SUITE_P(Runtimes, OtherRuntime,
                         ::testing::Values("io.containerd.runc.v2", "runsc", "sysbox-runc",
                                           "/usr/sbin/runc", "RUNC"));

TEST(Runtime, RuncAndTheDefaultAreFine) {
  PolicyHarness h;
  EXPECT_TRUE(h.decide(create_with({{"Runtime", "runc"}})).allowed);
  EXPECT_TRUE(h.decide(create_with({{"Runtime", ""}})).allowed);
}

}  // namespace
}  // namespace moat::core::policy
