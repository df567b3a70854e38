#include "core/policy/sysctls.h"

#include <gtest/gtest.h>

#include "policy_test_support.h"

namespace moat::core::policy {
namespace {

using test_support::create_with;
using test_support::json;
using test_support::kNoRemedy;
using test_support::PolicyHarness;

struct SysctlCase {
  const char* name;
  const char* value;
  std::string reason;  // empty when allowed
};

class Sysctls : public ::testing::TestWithParam<SysctlCase> {};

TEST_P(Sysctls, AreJudged) {
  PolicyHarness h;
  const auto& c = GetParam();
  const auto d = h.decide(create_with({{"Sysctls", {{c.name, c.value}}}}));
  if (c.reason.empty()) {
    EXPECT_TRUE(d.allowed) << d.message();
  } else {
    EXPECT_EQ(d.message(),
              "Moat refused this request: " + c.reason + " (rule container.sysctl)." + kNoRemedy);
  }
}

std::string not_namespaced(const std::string& name, const std::string& value) {
  return "--sysctl " + name + "=" + value + " is not allowed: " + name +
         " is not kept per container, so it would change the host kernel";
}

INSTANTIATE_TEST_SUITE_P(
    Names, Sysctls,
    ::testing::Values(
        SysctlCase{"net.ipv4.ip_forward", "1", ""},
        SysctlCase{"net.ipv4.ip_unprivileged_port_start", "0", ""},
        SysctlCase{"net.ipv4.ip_local_port_range", "1024 65000", ""},
        SysctlCase{"net.ipv6.conf.all.disable_ipv6", "1", ""},
        SysctlCase{"net.core.somaxconn", "1024", ""}, SysctlCase{"kernel.shm_rmid_forced", "1", ""},
        SysctlCase{"kernel.msgmax", "65536", ""}, SysctlCase{"kernel.sem", "250 32000 100 128", ""},
        SysctlCase{"fs.mqueue.msg_max", "100", ""},
        SysctlCase{"kernel.core_pattern", "|/tmp/x",
                   not_namespaced("kernel.core_pattern", "|/tmp/x")},
        SysctlCase{"kernel.modprobe", "/tmp/x", not_namespaced("kernel.modprobe", "/tmp/x")},
        SysctlCase{"vm.overcommit_memory", "1", not_namespaced("vm.overcommit_memory", "1")},
        SysctlCase{"net.core.rmem_max", "1", not_namespaced("net.core.rmem_max", "1")},
        SysctlCase{"kernel.shm_rmid_forced", "1+kernel.core_pattern=|/x",
                   "--sysctl kernel.shm_rmid_forced=1+kernel.core_pattern=|/x is not allowed: a "
                   "value with '+', '=' or control characters could smuggle a second setting "
                   "(CVE-2022-0811)"},
        SysctlCase{"net.ipv4.ip_forward", "1\nkernel.core_pattern=x",
                   "--sysctl net.ipv4.ip_forward=1\nkernel.core_pattern=x is not allowed: a value "
                   "with '+', '=' or control characters could smuggle a second setting "
                   "(CVE-2022-0811)"},
        SysctlCase{"net/ipv4/ip_forward", "1",
                   "--sysctl net/ipv4/ip_forward=1 is not allowed: a sysctl name may contain only "
                   "letters, digits, '.', '_' and '-'"},
        SysctlCase{"", "1",
                   "--sysctl =1 is not allowed: a sysctl name may contain only letters, digits, "
                   "'.', '_' and '-'"}));

TEST(Sysctls, ANonStringValueIsMalformed) {
  PolicyHarness h;
  EXPECT_EQ(h.decide(create_with({{"Sysctls", {{"net.ipv4.ip_forward", 1}}}})).reason,
            "the request body member /HostConfig/Sysctls is not an object of strings");
}

}  // namespace
}  // namespace moat::core::policy
