#include "core/policy/networks.h"

#include <gtest/gtest.h>

#include "policy_test_support.h"

namespace moat::core::policy {
namespace {

using test_support::json;
using test_support::kNoRemedy;
using test_support::PolicyHarness;
using test_support::request;

Decision create_network(PolicyHarness& h, const json& body) {
  return h.decide(request("POST", "networks/create", body));
}

TEST(NetworkCreate, BridgeAndNullAreAllowed) {
  PolicyHarness h;
  EXPECT_TRUE(create_network(h, {{"Name", "app"}, {"Driver", "bridge"}}).allowed);
  EXPECT_TRUE(create_network(h, {{"Name", "app"}}).allowed);
  EXPECT_TRUE(create_network(h, {{"Name", "iso"}, {"Driver", "null"}}).allowed);
}

TEST(NetworkCreate, HostIsRefused) {
  PolicyHarness h;
  EXPECT_EQ(create_network(h, {{"Name", "h"}, {"Driver", "host"}}).message(),
            std::string("Moat refused this request: network driver host is not allowed: it "
                        "would put containers in the host's network namespace (rule "
                        "network.driver).") +
                kNoRemedy);
}

TEST(NetworkCreate, MacvlanAndIpvlanAreRefused) {
  PolicyHarness h;
  for (const char* driver : {"macvlan", "ipvlan"}) {
    EXPECT_EQ(
        create_network(h, {{"Name", "l2"}, {"Driver", driver}, {"Options", {{"parent", "eth0"}}}})
            .message(),
        std::string("Moat refused this request: network driver ") + driver +
            " is not allowed: it attaches containers directly to the host's network "
            "interfaces (rule network.driver)." +
            kNoRemedy);
  }
}

TEST(NetworkCreate, OverlayNeedsSwarm) {
  PolicyHarness h;
  EXPECT_EQ(create_network(h, {{"Name", "o"}, {"Driver", "overlay"}}).message(),
            "Moat refused this request: network driver overlay is not allowed: it belongs to "
            "swarm mode (setting moat.allowSwarm). An admin can allow it with \"moat\": "
            "{\"allowSwarm\": {\"value\": true}} in admin-settings.json.");
  h.set("moat.allowSwarm", true);
  EXPECT_TRUE(create_network(h, {{"Name", "o"}, {"Driver", "overlay"}}).allowed);
}

TEST(NetworkCreate, IngressNeedsSwarm) {
  PolicyHarness h;
  const auto d = create_network(h, {{"Name", "i"}, {"Driver", "bridge"}, {"Ingress", true}});
  EXPECT_EQ(d.rule, "network.overlay");
  EXPECT_EQ(d.reason, "an ingress network is not allowed: it belongs to swarm mode");
}

TEST(NetworkCreate, APluginDriverNeedsPlugins) {
  PolicyHarness h;
  EXPECT_EQ(create_network(h, {{"Name", "w"}, {"Driver", "weaveworks/net-plugin"}}).message(),
            "Moat refused this request: network driver weaveworks/net-plugin is not allowed: "
            "network drivers other than bridge are engine plugins (setting moat.allowPlugins). "
            "An admin can allow it with \"moat\": {\"allowPlugins\": {\"value\": true}} in "
            "admin-settings.json.");
  h.set("moat.allowPlugins", true);
  EXPECT_TRUE(create_network(h, {{"Name", "w"}, {"Driver", "weaveworks/net-plugin"}}).allowed);
}

TEST(NetworkCreate, PluginsDoNotAllowHostDrivers) {
  PolicyHarness h;
  h.set("moat.allowPlugins", true);
  h.set("moat.allowSwarm", true);
  EXPECT_EQ(create_network(h, {{"Driver", "macvlan"}}).rule, "network.driver");
}

TEST(NetworkCreate, BridgeOptionsThatShapeTheNetworkAreAllowed) {
  PolicyHarness h;
  EXPECT_TRUE(create_network(h, {{"Name", "quiet"},
                                 {"Options",
                                  {{"com.docker.network.bridge.enable_icc", "false"},
                                   {"com.docker.network.bridge.enable_ip_masquerade", "false"},
                                   {"com.docker.network.bridge.host_binding_ipv4", "127.0.0.1"},
                                   {"com.docker.network.driver.mtu", "1400"},
                                   {"com.docker.network.container_iface_prefix", "app"}}}})
                  .allowed);
}

TEST(NetworkCreate, ABridgeMayNotTakeOverAHostInterface) {
  PolicyHarness h;
  EXPECT_EQ(create_network(h, {{"Name", "lan"},
                               {"Options", {{"com.docker.network.bridge.name", "br-lan"}}}})
                .message(),
            std::string("Moat refused this request: network option "
                        "com.docker.network.bridge.name=br-lan is not allowed: a developer's bridge "
                        "network may set only enable_icc, enable_ip_masquerade, host_binding_ipv4, "
                        "mtu and container_iface_prefix; others reach the host's own interfaces "
                        "(rule network.driver-option).") +
                kNoRemedy);
  for (const char* key : {"com.docker.network.bridge.default_bridge", "com.docker.network.bridge.Name",
                          "unknown.option"}) {
    EXPECT_EQ(create_network(h, {{"Name", "x"}, {"Options", {{key, "true"}}}}).rule,
              "network.driver-option")
        << key;
  }
}

TEST(NetworkCreate, AConfigOnlyNetworkIsJudgedAsTheBridgeThatMayUseIt) {
  PolicyHarness h;
  h.set("moat.allowSwarm", true);
  const json hijack = {{"Name", "cfg"},
                       {"Driver", "overlay"},
                       {"ConfigOnly", true},
                       {"Options", {{"com.docker.network.bridge.name", "eth0"}}}};
  EXPECT_EQ(create_network(h, hijack).rule, "network.driver-option");
  EXPECT_TRUE(create_network(h, {{"Name", "cfg"}, {"Driver", "overlay"}, {"ConfigOnly", true}})
                  .allowed);
}

TEST(NetworkCreate, ANullNetworkIsJudgedAsABridge) {
  PolicyHarness h;
  EXPECT_EQ(create_network(h, {{"Name", "n"},
                               {"Driver", "null"},
                               {"Options", {{"com.docker.network.bridge.name", "eth0"}}}})
                .rule,
            "network.driver-option");
}

TEST(NetworkCreate, AnIpv6NetworkNeedsAHostThatForwardsIpv6Already) {
  PolicyHarness h;
  const json v6 = {{"Name", "v6"}, {"EnableIPv6", true}, {"IPAM", {{"Config", {{{"Subnet", "fd00:77::/64"}}}}}}};
  EXPECT_EQ(create_network(h, v6).message(),
            "Moat refused this request: an IPv6 network is not allowed: the engine would turn on IPv6 "
            "forwarding for the whole host (net.ipv6.conf.all.forwarding), which makes the host route IPv6 "
            "between its interfaces and stop taking router advertisements (rule network.ipv6-forwarding). "
            "An admin who wants the host to route IPv6 can turn it on first (sysctl "
            "net.ipv6.conf.all.forwarding=1); IPv6 networks are then allowed.");
  // A config-only network hands its IPv6 on to the network made from it.
  EXPECT_EQ(create_network(h, {{"Name", "c"}, {"ConfigOnly", true}, {"EnableIPv6", true}}).rule,
            "network.ipv6-forwarding");
  h.net.forward_ipv6(fail("cannot read /proc/sys/net/ipv6/conf/all/forwarding: No such file or directory"));
  EXPECT_EQ(create_network(h, v6).reason,
            "an IPv6 network is not allowed: Moat cannot tell whether the host forwards IPv6 (cannot read "
            "/proc/sys/net/ipv6/conf/all/forwarding: No such file or directory)");
  h.net.forward_ipv6(true);
  EXPECT_TRUE(create_network(h, v6).allowed);
  EXPECT_TRUE(create_network(h, {{"Name", "v4"}, {"EnableIPv6", false}}).allowed);
}

TEST(NetworkCreate, AnIpamDriverPluginNeedsPlugins) {
  PolicyHarness h;
  const auto with_ipam_driver = [&h](const char* driver) {
    return create_network(h, {{"Name", "app"}, {"IPAM", {{"Driver", driver}, {"Config", json::array()}}}});
  };
  const auto d = with_ipam_driver("infoblox");
  EXPECT_EQ(d.message(),
            "Moat refused this request: IPAM driver infoblox is not allowed: address drivers other "
            "than default and null are engine plugins (setting moat.allowPlugins). An admin can "
            "allow it with \"moat\": {\"allowPlugins\": {\"value\": true}} in admin-settings.json.");
  EXPECT_TRUE(with_ipam_driver("default").allowed);
  h.set("moat.allowPlugins", true);
  EXPECT_TRUE(with_ipam_driver("infoblox").allowed);
}

TEST(NetworkConnect, TheHostNetworkIsRefused) {
  PolicyHarness h;
  const auto d = h.decide(request("POST", "networks/host/connect", json{{"Container", "c1"}}));
  EXPECT_EQ(d.rule, "container.namespace-host");
  EXPECT_EQ(d.reason,
            "--network=host is not allowed: the container would share the host's network "
            "namespace");
}

TEST(NetworkConnect, AUserNetworkIsAllowed) {
  PolicyHarness h;
  const auto d = h.decide(request("POST", "networks/app/connect", json{{"Container", "c1"}}));
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.rule, "network.connect");
}

}  // namespace
}  // namespace moat::core::policy
