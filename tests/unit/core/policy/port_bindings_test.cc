#include "core/policy/port_bindings.h"

#include <gtest/gtest.h>

#include "policy_test_support.h"

namespace moat::core::policy {
namespace {

using test_support::create_with;
using test_support::json;
using test_support::PolicyHarness;
using test_support::request;

json published(const std::string& address, const std::string& port = "8080") {
  return {{"PortBindings", {{"80/tcp", json::array({{{"HostIp", address}, {"HostPort", port}}})}}}};
}

TEST(PortBindings, AnyAddressByDefault) {
  PolicyHarness h;
  for (const char* address : {"", "0.0.0.0", "192.0.2.2", "::"}) {
    EXPECT_TRUE(h.decide(create_with(published(address))).allowed) << address;
  }
  h.set("portBindingBehavior", "default-local-port-binding");
  EXPECT_TRUE(h.decide(create_with(published("0.0.0.0"))).allowed);
}

TEST(PortBindings, LocalOnlyKeepsPublishedPortsOnLoopback) {
  PolicyHarness h;
  h.set("portBindingBehavior", "local-only-port-binding");
  for (const char* address : {"", "127.0.0.1", "127.1.2.3", "::1"}) {
    EXPECT_TRUE(h.decide(create_with(published(address))).allowed) << address;
  }
  EXPECT_EQ(h.decide(create_with(published("0.0.0.0"))).message(),
            "Moat refused this request: -p 0.0.0.0:8080:80/tcp is not allowed: published ports may listen "
            "only on this machine's loopback addresses (127.0.0.1, ::1) (setting portBindingBehavior). An "
            "admin can allow other addresses with \"portBindingBehavior\": {\"value\": "
            "\"default-local-port-binding\"} in admin-settings.json.");
  EXPECT_EQ(h.decide(create_with(published("::", ""))).reason,
            "-p [::]::80/tcp is not allowed: published ports may listen only on this machine's loopback "
            "addresses (127.0.0.1, ::1)");
  for (const char* address : {"192.0.2.2", "::ffff:127.0.0.1", "localhost", "127.0.0.1%lo"}) {
    EXPECT_EQ(h.decide(create_with(published(address))).rule, "container.port-binding") << address;
  }
}

TEST(PortBindings, EveryBindingOfEveryPortIsJudged) {
  PolicyHarness h;
  h.set("portBindingBehavior", "local-only-port-binding");
  const json host = {{"PortBindings",
                      {{"53/udp", nullptr},
                       {"80/tcp", json::array({{{"HostIp", "127.0.0.1"}, {"HostPort", "8080"}},
                                               {{"HostIp", "192.0.2.2"}, {"HostPort", "8080"}}})}}}};
  EXPECT_EQ(h.decide(create_with(host)).reason.substr(0, 30), "-p 192.0.2.2:8080:80/tcp is no");
  EXPECT_EQ(h.decide(create_with({{"PortBindings", {{"80/tcp", "0.0.0.0"}}}})).rule, "request.malformed");
}

TEST(PortBindings, PublishAllIsRefusedWhereOnlyLoopbackMay) {
  PolicyHarness h;
  const json all = {{"PublishAllPorts", true}};
  EXPECT_TRUE(h.decide(create_with(all)).allowed);
  h.set("portBindingBehavior", "default-local-port-binding");
  EXPECT_TRUE(h.decide(create_with(all)).allowed);
  h.set("portBindingBehavior", "local-only-port-binding");
  EXPECT_EQ(h.decide(create_with(all)).reason,
            "-P (--publish-all) is not allowed: it publishes every exposed port on each network's own default "
            "address, which need not be loopback; publish each port with -p 127.0.0.1:HOST_PORT:PORT");
  EXPECT_TRUE(h.decide(create_with({{"PublishAllPorts", false}})).allowed);
}

TEST(PortBindings, ABridgesDefaultAddressIsJudgedToo) {
  PolicyHarness h;
  h.set("portBindingBehavior", "local-only-port-binding");
  const auto with_default = [&h](const std::string& address) {
    return h.decide(request("POST", "networks/create",
                            json{{"Name", "n"}, {"Options", {{"com.docker.network.bridge.host_binding_ipv4", address}}}}));
  };
  EXPECT_TRUE(with_default("127.0.0.1").allowed);
  EXPECT_EQ(with_default("0.0.0.0").reason,
            "network option com.docker.network.bridge.host_binding_ipv4=0.0.0.0 is not allowed: published "
            "ports may listen only on this machine's loopback addresses (127.0.0.1, ::1)");
}

}  // namespace
}  // namespace moat::core::policy
