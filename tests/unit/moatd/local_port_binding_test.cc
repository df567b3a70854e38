#include "moatd/local_port_binding.h"

#include <gtest/gtest.h>

namespace moat::moatd {
namespace {

using nlohmann::json;

TEST(LocalPortBinding, OnlyNetworkCreateIsANetworkCreate) {
  http::CanonicalRequest r;
  r.method = "POST";
  r.segments = {"networks", "create"};
  EXPECT_TRUE(creates_network(r));
  r.segments = {"networks", "app", "connect"};
  EXPECT_FALSE(creates_network(r));
  r.segments = {"networks", "create"};
  r.method = "GET";
  EXPECT_FALSE(creates_network(r));
}

TEST(LocalPortBinding, PortsWithoutAnAddressGetLoopback) {
  json body = {{"Image", "app"},
               {"HostConfig",
                {{"PortBindings",
                  {{"80/tcp", json::array({{{"HostIp", ""}, {"HostPort", "8080"}}, {{"HostPort", "8081"}},
                                           {{"HostIp", "192.0.2.2"}, {"HostPort", "8082"}}})},
                   {"53/udp", nullptr}}}}}};
  bind_unaddressed_ports(body);
  EXPECT_EQ(body["HostConfig"]["PortBindings"]["80/tcp"],
            json::parse(R"([{"HostIp": "127.0.0.1", "HostPort": "8080"}, {"HostIp": "127.0.0.1", "HostPort": "8081"},
                            {"HostIp": "192.0.2.2", "HostPort": "8082"}])"));
  EXPECT_TRUE(body["HostConfig"]["PortBindings"]["53/udp"].is_null());
  json none = {{"Image", "app"}};
  bind_unaddressed_ports(none);
  EXPECT_EQ(none, json({{"Image", "app"}}));
}

TEST(LocalPortBinding, ABridgeGetsLoopbackAsItsDefault) {
  json bridge = {{"Name", "app"}, {"Driver", "bridge"}, {"Options", json::object()}};
  bind_network_ports_locally(bridge);
  EXPECT_EQ(bridge["Options"], json({{"com.docker.network.bridge.host_binding_ipv4", "127.0.0.1"}}));
  json unnamed_driver = {{"Name", "app"}};
  bind_network_ports_locally(unnamed_driver);
  EXPECT_EQ(unnamed_driver["Options"]["com.docker.network.bridge.host_binding_ipv4"], "127.0.0.1");
  json named = {{"Name", "app"}, {"Options", {{"com.docker.network.bridge.host_binding_ipv4", "192.0.2.2"}}}};
  bind_network_ports_locally(named);
  EXPECT_EQ(named["Options"]["com.docker.network.bridge.host_binding_ipv4"], "192.0.2.2");
  for (json other : {json{{"Name", "o"}, {"Driver", "overlay"}},
                     json{{"Name", "f"}, {"ConfigFrom", {{"Network", "cfg"}}}}}) {
    const json before = other;
    bind_network_ports_locally(other);
    EXPECT_EQ(other, before);
  }
}

}  // namespace
}  // namespace moat::moatd
