#include "core/policy/privileges.h"

#include <gtest/gtest.h>

#include "policy_test_support.h"

namespace moat::core::policy {
namespace {

using test_support::create_with;
using test_support::json;
using test_support::kNoRemedy;
using test_support::PolicyHarness;
using test_support::request;

constexpr const char* kEciNotActive =
    " Enhanced container isolation is on in the settings but not active: an admin can bring the "
    "stack up again with moatctl up.";
constexpr const char* kTurnOnEci =
    " An admin can allow it with \"enhancedContainerIsolation\": {\"value\": true} in "
    "admin-settings.json.";

TEST(Privileged, IsAllowedUnderEci) {
  PolicyHarness h;
  const auto d = h.decide(create_with({{"Privileged", true}}));
  EXPECT_TRUE(d.allowed) << d.message();
}

TEST(Privileged, IsRefusedWhenEciIsNotActive) {
  PolicyHarness h;
  h.eci_active = false;
  const auto d = h.decide(create_with({{"Privileged", true}}));
  EXPECT_EQ(d.rule, "container.privileged");
  EXPECT_EQ(d.message(),
            std::string("Moat refused this request: --privileged is not allowed without enhanced "
                        "container isolation: the container would hold every capability and "
                        "device of the host (setting enhancedContainerIsolation).") +
                kEciNotActive);
}

TEST(Privileged, RemedyTurnsEciOnWhenTheSettingIsOff) {
  PolicyHarness h;
  h.eci_active = false;
  h.set("enhancedContainerIsolation", false);
  const auto d = h.decide(create_with({{"Privileged", true}}));
  EXPECT_EQ(d.remedy, std::string(kTurnOnEci).substr(1));
}

TEST(Privileged, FalseIsFineWithoutEci) {
  PolicyHarness h;
  h.eci_active = false;
  EXPECT_TRUE(h.decide(create_with({{"Privileged", false}})).allowed);
}

TEST(Privileged, ANonBooleanIsMalformed) {
  PolicyHarness h;
  EXPECT_EQ(h.decide(create_with({{"Privileged", "yes"}})).message(),
            std::string("Moat refused this request: the request body member "
                        "/HostConfig/Privileged is not true or false (rule request.malformed).") +
                kNoRemedy);
}

TEST(ExecPrivileged, IsRefusedWithoutEci) {
  PolicyHarness h;
  h.eci_active = false;
  const auto d = h.decide(request("POST", "containers/c1/exec",
                                  json{{"Privileged", true}, {"Cmd", {"sh"}}, {"User", "root"}}));
  EXPECT_EQ(d.rule, "exec.privileged");
  EXPECT_EQ(d.message(),
            std::string("Moat refused this request: docker exec --privileged is not allowed "
                        "without enhanced container isolation: the process would hold every "
                        "capability of the host (setting enhancedContainerIsolation).") +
                kEciNotActive);
}

TEST(ExecPrivileged, IsAllowedUnderEci) {
  PolicyHarness h;
  const auto d = h.decide(request("POST", "containers/c1/exec", json{{"Privileged", true}}));
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.rule, "exec.create");
}

TEST(ExecPrivileged, AnyUserIsFine) {
  PolicyHarness h;
  h.eci_active = false;
  EXPECT_TRUE(h.decide(request("POST", "containers/c1/exec", json{{"User", "0:0"}})).allowed);
}

struct CapCase {
  const char* cap;
  bool eci;
  std::string message;  // empty when allowed
};

std::string kernel_wide(const std::string& requested, const std::string& name) {
  return std::string("Moat refused this request: --cap-add ") + requested +
         " is not allowed: CAP_" + name +
         " acts on the host kernel, outside any container's user namespace (rule "
         "container.capabilities)." +
         kNoRemedy;
}

std::string needs_eci(const std::string& requested) {
  return "Moat refused this request: --cap-add " + requested +
         " is not allowed without enhanced container isolation: only Docker's default "
         "capabilities are (setting enhancedContainerIsolation)." +
         kEciNotActive;
}

class CapAdd : public ::testing::TestWithParam<CapCase> {};

TEST_P(CapAdd, IsJudged) {
  PolicyHarness h;
  const auto& c = GetParam();
  h.eci_active = c.eci;
  const auto d = h.decide(create_with({{"CapAdd", {c.cap}}}));
  if (c.message.empty()) {
    EXPECT_TRUE(d.allowed) << d.message();
  } else {
    EXPECT_EQ(d.rule, "container.capabilities");
    EXPECT_EQ(d.message(), c.message);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Capabilities, CapAdd,
    ::testing::Values(
        CapCase{"NET_ADMIN", true, ""}, CapCase{"SYS_ADMIN", true, ""},
        CapCase{"sys_ptrace", true, ""}, CapCase{"CAP_NET_RAW", true, ""},
        CapCase{"IPC_LOCK", true, ""}, CapCase{"CHECKPOINT_RESTORE", true, ""},
        CapCase{"CHOWN", false, ""}, CapCase{"NET_BIND_SERVICE", false, ""},
        CapCase{"SYS_MODULE", true, kernel_wide("SYS_MODULE", "SYS_MODULE")},
        CapCase{"SYS_RAWIO", true, kernel_wide("SYS_RAWIO", "SYS_RAWIO")},
        CapCase{"SYS_BOOT", true, kernel_wide("SYS_BOOT", "SYS_BOOT")},
        CapCase{"SYS_TIME", true, kernel_wide("SYS_TIME", "SYS_TIME")},
        CapCase{"MAC_ADMIN", true, kernel_wide("MAC_ADMIN", "MAC_ADMIN")},
        CapCase{"MAC_OVERRIDE", true, kernel_wide("MAC_OVERRIDE", "MAC_OVERRIDE")},
        CapCase{"cap_bpf", true, kernel_wide("cap_bpf", "BPF")},
        CapCase{"PERFMON", true, kernel_wide("PERFMON", "PERFMON")},
        CapCase{"SYSLOG", true, kernel_wide("SYSLOG", "SYSLOG")},
        CapCase{"AUDIT_CONTROL", true, kernel_wide("AUDIT_CONTROL", "AUDIT_CONTROL")},
        CapCase{"DAC_READ_SEARCH", true, kernel_wide("DAC_READ_SEARCH", "DAC_READ_SEARCH")},
        CapCase{"SYS_MODULE", false, kernel_wide("SYS_MODULE", "SYS_MODULE")},
        CapCase{"NET_ADMIN", false, needs_eci("NET_ADMIN")},
        CapCase{"SYS_ADMIN", false, needs_eci("SYS_ADMIN")},
        CapCase{"ALL", true,
                std::string("Moat refused this request: --cap-add ALL is not allowed: it "
                            "includes capabilities that act on the whole host kernel (rule "
                            "container.capabilities).") +
                    kNoRemedy},
        CapCase{"FLY", true,
                std::string("Moat refused this request: --cap-add FLY is not allowed: FLY is not "
                            "a Linux capability (rule container.capabilities).") +
                    kNoRemedy}));

TEST(CapAddField, AcceptsASingleString) {
  PolicyHarness h;
  EXPECT_TRUE(h.decide(create_with({{"CapAdd", "NET_ADMIN"}})).allowed);
  EXPECT_EQ(h.decide(create_with({{"CapAdd", "SYS_MODULE"}})).rule, "container.capabilities");
}

TEST(CapAddField, CapDropIsNotJudged) {
  PolicyHarness h;
  h.eci_active = false;
  EXPECT_TRUE(h.decide(create_with({{"CapDrop", {"ALL"}}})).allowed);
}

TEST(CapabilitiesField, IsJudgedLikeCapAdd) {
  PolicyHarness h;
  EXPECT_TRUE(h.decide(create_with({{"Capabilities", {"CAP_CHOWN", "CAP_NET_ADMIN"}}})).allowed);
  EXPECT_EQ(h.decide(create_with({{"Capabilities", {"CAP_SYS_MODULE"}}})).message(),
            std::string("Moat refused this request: capability CAP_SYS_MODULE "
                        "(HostConfig.Capabilities) is not allowed: CAP_SYS_MODULE acts on the "
                        "host kernel, outside any container's user namespace (rule "
                        "container.capabilities).") +
                kNoRemedy);
}

TEST(CapabilityLists, DefaultsAndNamespacedSetsDoNotOverlap) {
  for (const auto cap : kNamespacedCapabilities) {
    EXPECT_EQ(std::find(kDefaultCapabilities.begin(), kDefaultCapabilities.end(), cap),
              kDefaultCapabilities.end())
        << cap;
  }
}

}  // namespace
}  // namespace moat::core::policy
