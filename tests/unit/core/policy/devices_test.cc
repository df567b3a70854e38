#include "core/policy/devices.h"

#include <gtest/gtest.h>

#include "policy_test_support.h"

namespace moat::core::policy {
namespace {

using test_support::create_with;
using test_support::json;
using test_support::kNoRemedy;
using test_support::PolicyHarness;
using test_support::request;

std::string builtin(const std::string& reason, const std::string& rule) {
  return "Moat refused this request: " + reason + " (rule " + rule + ")." + kNoRemedy;
}

TEST(Devices, ADeviceIsRefused) {
  PolicyHarness h;
  const auto d = h.decide(create_with({{"Devices",
                                        {{{"PathOnHost", "/dev/sda"},
                                          {"PathInContainer", "/dev/sda"},
                                          {"CgroupPermissions", "rwm"}}}}}));
  EXPECT_EQ(d.message(), builtin("--device /dev/sda is not allowed: host devices stay out of "
                                 "containers",
                                 "container.devices"));
}

TEST(Devices, AGpuRequestIsRefused) {
  PolicyHarness h;
  const auto d = h.decide(create_with(
      {{"DeviceRequests", {{{"Driver", ""}, {"Count", -1}, {"Capabilities", {{"gpu"}}}}}}}));
  EXPECT_EQ(d.message(), builtin("--gpus (DeviceRequests) is not allowed: it hands host devices "
                                 "to the container",
                                 "container.device-requests"));
}

TEST(Devices, ADeviceCgroupRuleIsRefused) {
  PolicyHarness h;
  const auto d = h.decide(create_with({{"DeviceCgroupRules", {"c 1:3 rwm"}}}));
  EXPECT_EQ(d.message(), builtin("--device-cgroup-rule \"c 1:3 rwm\" is not allowed: it lets the "
                                 "container use host device nodes",
                                 "container.device-cgroup-rules"));
}

TEST(Devices, EmptyAndNullListsAreFine) {
  PolicyHarness h;
  EXPECT_TRUE(h.decide(create_with({{"Devices", json::array()},
                                    {"DeviceRequests", nullptr},
                                    {"DeviceCgroupRules", nullptr}}))
                  .allowed);
}

TEST(Devices, AreRefusedInAnUpdateToo) {
  PolicyHarness h;
  const auto d =
      h.decide(request("POST", "containers/c1/update", json{{"DeviceCgroupRules", {"a *:* rwm"}}}));
  EXPECT_EQ(d.rule, "container.device-cgroup-rules");
  EXPECT_EQ(h.decide(request("POST", "containers/c1/update",
                             json{{"Devices", {{{"PathOnHost", "/dev/mem"}}}}}))
                .reason,
            "--device /dev/mem is not allowed: host devices stay out of containers");
}

TEST(Devices, ADeviceEntryThatIsNotAnObjectIsMalformed) {
  PolicyHarness h;
  EXPECT_EQ(h.decide(create_with({{"Devices", {"/dev/sda"}}})).reason,
            "the request body member /HostConfig/Devices/0 is not an object");
}

}  // namespace
}  // namespace moat::core::policy
