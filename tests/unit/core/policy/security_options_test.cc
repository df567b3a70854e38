#include "core/policy/security_options.h"

#include <gtest/gtest.h>

#include "policy_test_support.h"

namespace moat::core::policy {
namespace {

using test_support::create_with;
using test_support::json;
using test_support::kNoRemedy;
using test_support::PolicyHarness;

struct OptCase {
  const char* option;
  const char* rule;  // "" when allowed
  const char* reason;
};

class SecurityOpt : public ::testing::TestWithParam<OptCase> {};

TEST_P(SecurityOpt, IsJudged) {
  PolicyHarness h;
  const auto& c = GetParam();
  const auto d = h.decide(create_with({{"SecurityOpt", {c.option}}}));
  if (std::string(c.rule).empty()) {
    EXPECT_TRUE(d.allowed) << d.message();
  } else {
    EXPECT_EQ(d.message(), std::string("Moat refused this request: ") + c.reason + " (rule " +
                               c.rule + ")." + kNoRemedy);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Options, SecurityOpt,
    ::testing::Values(
        OptCase{"no-new-privileges", "", ""}, OptCase{"no-new-privileges=true", "", ""},
        OptCase{"no-new-privileges:false", "", ""}, OptCase{"apparmor=docker-default", "", ""},
        OptCase{"seccomp=unconfined", "container.seccomp",
                "--security-opt seccomp=unconfined is not allowed: it turns off the system call "
                "filter"},
        OptCase{"seccomp:unconfined", "container.seccomp",
                "--security-opt seccomp:unconfined is not allowed: it turns off the system call "
                "filter"},
        OptCase{"seccomp={\"defaultAction\":\"SCMP_ACT_ALLOW\"}", "container.seccomp",
                "--security-opt seccomp=<custom profile> is not allowed: a custom profile could "
                "allow system calls Docker's default profile blocks"},
        OptCase{"apparmor=unconfined", "container.apparmor",
                "--security-opt apparmor=unconfined is not allowed: it turns off AppArmor "
                "confinement"},
        OptCase{"apparmor=lxc-container-default-with-nesting", "container.apparmor",
                "--security-opt apparmor=lxc-container-default-with-nesting is not allowed: only "
                "the docker-default AppArmor profile is"},
        OptCase{"label=disable", "container.selinux-label",
                "--security-opt label=disable is not allowed: it turns off the container's "
                "SELinux confinement"},
        OptCase{"label:disable", "container.selinux-label",
                "--security-opt label:disable is not allowed: it turns off the container's "
                "SELinux confinement"},
        OptCase{"disable", "container.selinux-label",
                "--security-opt disable is not allowed: it turns off the container's SELinux "
                "confinement"},
        OptCase{"label=type:spc_t", "container.selinux-label",
                "--security-opt label=type:spc_t is not allowed: a custom SELinux label could "
                "name an unconfined type"},
        OptCase{"systempaths=unconfined", "container.system-paths",
                "--security-opt systempaths=unconfined is not allowed: it would expose /proc and "
                "/sys paths Docker hides from every container"},
        OptCase{"no-new-privileges=maybe", "container.security-opt",
                "--security-opt no-new-privileges=maybe is not allowed: it is not a security "
                "option Moat knows"},
        OptCase{"privileged", "container.security-opt",
                "--security-opt privileged is not allowed: it is not a security option Moat "
                "knows"}));

json defaults_without(std::string_view left_out, bool masked) {
  json out = json::array();
  if (masked) {
    for (const auto p : kDefaultMaskedPaths) {
      if (p != left_out) out.push_back(std::string(p));
    }
  } else {
    for (const auto p : kDefaultReadonlyPaths) {
      if (p != left_out) out.push_back(std::string(p));
    }
  }
  return out;
}

TEST(SystemPaths, EngineDefaultsAreFine) {
  PolicyHarness h;
  EXPECT_TRUE(
      h.decide(create_with({{"MaskedPaths", nullptr}, {"ReadonlyPaths", nullptr}})).allowed);
  EXPECT_TRUE(h.decide(create_with({{"MaskedPaths", defaults_without("", true)},
                                    {"ReadonlyPaths", defaults_without("", false)}}))
                  .allowed);
}

TEST(SystemPaths, MoreMaskingIsFine) {
  PolicyHarness h;
  auto masked = defaults_without("", true);
  masked.push_back("/proc/cpuinfo");
  EXPECT_TRUE(h.decide(create_with({{"MaskedPaths", masked}})).allowed);
}

TEST(SystemPaths, EmptyMaskedPathsAreRefused) {
  PolicyHarness h;
  EXPECT_EQ(h.decide(create_with({{"MaskedPaths", json::array()}})).message(),
            std::string("Moat refused this request: --security-opt systempaths=unconfined (an "
                        "empty MaskedPaths) is not allowed: it would expose /proc and /sys paths "
                        "Docker hides from every container (rule container.system-paths).") +
                kNoRemedy);
}

TEST(SystemPaths, EmptyReadonlyPathsAreRefused) {
  PolicyHarness h;
  EXPECT_EQ(h.decide(create_with({{"ReadonlyPaths", json::array()}})).reason,
            "--security-opt systempaths=unconfined (an empty ReadonlyPaths) is not allowed: it "
            "would make /proc paths writable that Docker keeps read-only in every container");
}

TEST(SystemPaths, LeavingOutADefaultIsRefused) {
  PolicyHarness h;
  EXPECT_EQ(h.decide(create_with({{"MaskedPaths", defaults_without("/proc/kcore", true)}})).reason,
            "MaskedPaths without /proc/kcore is not allowed: Docker hides it from every container");
  EXPECT_EQ(
      h.decide(create_with({{"ReadonlyPaths", defaults_without("/proc/sysrq-trigger", false)}}))
          .reason,
      "ReadonlyPaths without /proc/sysrq-trigger is not allowed: Docker keeps it read-only in "
      "every container");
}

}  // namespace
}  // namespace moat::core::policy
