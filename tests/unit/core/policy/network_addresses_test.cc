#include "core/policy/network_addresses.h"

#include <gtest/gtest.h>

#include "policy_test_support.h"

namespace moat::core::policy {
namespace {

using test_support::json;
using test_support::kNoRemedy;
using test_support::PolicyHarness;
using test_support::request;

const char* const kBuiltinPools =
    "172.17.0.0/16, 172.18.0.0/16, 172.19.0.0/16, 172.20.0.0/14, 172.24.0.0/14, 172.28.0.0/14, "
    "192.168.0.0/16, fd00::/8";

Decision create_with_ipam(PolicyHarness& h, const json& config) {
  return h.decide(request("POST", "networks/create", json{{"Name", "app"}, {"IPAM", {{"Config", config}}}}));
}

TEST(NetworkAddresses, ANetworkWithoutAddressesIsLeftToTheEngine) {
  PolicyHarness h;
  h.net.fail_with("cannot read /proc/net/route: Permission denied");
  EXPECT_TRUE(create_with_ipam(h, json::array()).allowed);
  EXPECT_TRUE(h.decide(request("POST", "networks/create", json{{"Name", "app"}})).allowed);
}

TEST(NetworkAddresses, AddressesInsideThePoolsAndFreeOnTheHostAreAllowed) {
  PolicyHarness h;
  const auto d = create_with_ipam(h, json::array({{{"Subnet", "172.20.5.0/24"},
                                                   {"IPRange", "172.20.5.128/25"},
                                                   {"Gateway", "172.20.5.1"},
                                                   {"AuxiliaryAddresses", {{"db", "172.20.5.9"}}}},
                                                  {{"Subnet", "fd00:1::/64"}}}));
  EXPECT_TRUE(d.allowed) << d.message();
  EXPECT_EQ(d.rule, "network.create");
}

TEST(NetworkAddresses, ASubnetOverTheHostsNameserverIsRefused) {
  PolicyHarness h;
  // Measured on a host whose nameserver sat behind its default route: with
  // this network and a container at .53, the host's DNS went to the container.
  h.set("linuxVM.dockerDaemonOptions",
        R"({"default-address-pools": [{"base": "10.255.0.0/16", "size": 24}]})");
  EXPECT_EQ(create_with_ipam(h, json::array({{{"Subnet", "10.255.255.0/24"},
                                              {"Gateway", "10.255.255.1"}}}))
                .message(),
            std::string("Moat refused this request: network subnet 10.255.255.0/24 is not allowed: "
                        "it overlaps the host's nameserver 10.255.255.53 (/etc/resolv.conf), and the "
                        "host's own traffic there would go to this network's containers instead (rule "
                        "network.subnet).") +
                kNoRemedy);
}

TEST(NetworkAddresses, ASubnetOutsideTheEnginesPoolsIsRefused) {
  PolicyHarness h;
  EXPECT_EQ(create_with_ipam(h, json::array({{{"Subnet", "10.255.255.0/24"}}})).message(),
            std::string("Moat refused this request: network subnet 10.255.255.0/24 is not allowed: "
                        "it is outside the engine's address pools (") +
                kBuiltinPools +
                "), where a network created without --subnet gets its addresses (setting "
                "linuxVM.dockerDaemonOptions). An admin can add a pool that contains it to "
                "\"default-address-pools\" in linuxVM.dockerDaemonOptions in admin-settings.json.");
  // A range wider than a pool is not inside it.
  EXPECT_EQ(create_with_ipam(h, json::array({{{"Subnet", "172.16.0.0/12"}}})).rule, "network.subnet");
  EXPECT_EQ(create_with_ipam(h, json::array({{{"Subnet", "2001:db8::/64"}}})).rule, "network.subnet");
}

TEST(NetworkAddresses, EveryAddressOfTheRequestIsJudged) {
  PolicyHarness h;
  const json subnet = {{"Subnet", "172.20.0.0/16"}};
  for (const auto& [key, value, said] :
       {std::tuple{"Gateway", json("10.255.255.53"), "gateway 10.255.255.53"},
        std::tuple{"IPRange", json("10.0.0.0/8"), "IP range 10.0.0.0/8"},
        std::tuple{"AuxiliaryAddresses", json({{"dns", "10.255.255.53"}}),
                   "auxiliary address dns 10.255.255.53"}}) {
    json config = subnet;
    config[key] = value;
    const auto d = create_with_ipam(h, json::array({config}));
    EXPECT_EQ(d.rule, "network.subnet") << key;
    EXPECT_EQ(d.reason.rfind(std::string("network ") + said + " is not allowed", 0), 0U) << d.reason;
  }
}

TEST(NetworkAddresses, TheAdminsPoolsReplaceTheBuiltinOnes) {
  PolicyHarness h;
  h.set("linuxVM.dockerDaemonOptions",
        R"({"default-address-pools": [{"base": "10.10.0.0/16", "size": 24}]})");
  EXPECT_TRUE(create_with_ipam(h, json::array({{{"Subnet", "10.10.3.0/24"}}})).allowed);
  const auto d = create_with_ipam(h, json::array({{{"Subnet", "172.20.0.0/16"}}}));
  EXPECT_EQ(d.reason,
            "network subnet 172.20.0.0/16 is not allowed: it is outside the engine's address pools "
            "(10.10.0.0/16, fd00::/8), where a network created without --subnet gets its addresses");
}

TEST(NetworkAddresses, ARangeTheHostRoutesIsRefusedInsideAPool) {
  PolicyHarness h;
  h.net.use("192.168.1.0/24", "the host's route to 192.168.1.0/24 through wlan0");
  // Both ways round: the host's range inside the subnet, and the subnet
  // inside the host's range.
  for (const char* subnet : {"192.168.0.0/20", "192.168.1.64/26"}) {
    const auto d = create_with_ipam(h, json::array({{{"Subnet", subnet}}}));
    EXPECT_EQ(d.rule, "network.subnet") << subnet;
    EXPECT_NE(d.reason.find("it overlaps the host's route to 192.168.1.0/24 through wlan0"),
              std::string::npos)
        << d.reason;
  }
  EXPECT_EQ(create_with_ipam(h, json::array({{{"Subnet", "fd00::/48"}}})).rule, "network.subnet");
}

TEST(NetworkAddresses, AHostThatCannotBeReadRefuses) {
  PolicyHarness h;
  h.net.fail_with("cannot read /proc/net/route: Permission denied");
  EXPECT_EQ(create_with_ipam(h, json::array({{{"Subnet", "172.20.0.0/16"}}})).reason,
            "network subnet 172.20.0.0/16 is not allowed: Moat cannot tell whether the host already "
            "uses these addresses: cannot read /proc/net/route: Permission denied");
}

TEST(NetworkAddresses, UnreadablePoolsRefuse) {
  PolicyHarness h;
  h.set("linuxVM.dockerDaemonOptions", R"({"default-address-pools": "10.0.0.0/8"})");
  const auto d = create_with_ipam(h, json::array({{{"Subnet", "172.20.0.0/16"}}}));
  EXPECT_EQ(d.setting, "linuxVM.dockerDaemonOptions");
  EXPECT_EQ(d.reason,
            "network subnet 172.20.0.0/16 is not allowed: Moat cannot tell the engine's address "
            "pools: default-address-pools in linuxVM.dockerDaemonOptions is not a list of "
            "{\"base\": \"10.10.0.0/16\", \"size\": 24}");
}

TEST(NetworkAddresses, WhatIsNotAnAddressIsRefused) {
  PolicyHarness h;
  for (const char* subnet : {"172.20.0.0", "172.20.0.0/33", "172.20.0.0/16x", "x"}) {
    const auto d = create_with_ipam(h, json::array({{{"Subnet", subnet}}}));
    EXPECT_EQ(d.rule, "network.subnet") << subnet;
    EXPECT_NE(d.reason.find("is not an IP prefix"), std::string::npos) << d.reason;
  }
  EXPECT_EQ(create_with_ipam(h, json::array({{{"Subnet", "fd00:1::/64%eth0"}}})).reason,
            "network subnet is not allowed: \"fd00:1::/64%eth0\" is not an IP address or prefix");
  EXPECT_EQ(create_with_ipam(h, json::array({{{"Subnet", "172.20.0.0/16"}, {"Gateway", "172.20.0.999"}}}))
                .reason,
            "network gateway is not allowed: \"172.20.0.999\" is not an IP address");
}

TEST(NetworkAddresses, HostBitsAreClearedAsTheEngineClearsThem) {
  PolicyHarness h;
  h.set("linuxVM.dockerDaemonOptions",
        R"({"default-address-pools": [{"base": "10.255.0.0/16", "size": 24}]})");
  EXPECT_EQ(create_with_ipam(h, json::array({{{"Subnet", "10.255.255.77/24"}}})).reason.substr(0, 54),
            "network subnet 10.255.255.0/24 is not allowed: it over");
}

}  // namespace
}  // namespace moat::core::policy
