#include "core/policy/host_network_files.h"

#include <gtest/gtest.h>

namespace moat::core::policy {
namespace {

std::vector<std::string> described(const std::vector<HostAddressUse>& uses) {
  std::vector<std::string> out;
  for (const auto& use : uses) out.push_back(use.description);
  return out;
}

// As this kernel prints it: the in-memory values of a little-endian host.
constexpr const char* kRoutes =
    "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
    "eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n"
    "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
    "br0\t0000000A\t00000000\t0001\t0\t0\t0\t000000FF\t0\t0\t0\n";

TEST(HostNetworkFiles, Ipv4RoutesAreReadWithoutTheDefaultRoute) {
  const auto routes = parse_ipv4_routes(kRoutes, "/proc/net/route");
  ASSERT_TRUE(routes) << routes.error().message;
  EXPECT_EQ(described(*routes), (std::vector<std::string>{"the host's route to 192.0.2.0/24 through eth0",
                                                          "the host's route to 10.0.0.0/8 through br0"}));
}

TEST(HostNetworkFiles, AnIpv4RouteThatDoesNotReadAsTheKernelWritesItIsAnError) {
  const std::string header = "Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\n";
  for (const std::string line : {
           "eth0\t000200C0\t00000000\t0001\t0\t0\t0\n",          // no mask
           "eth0\t+00200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\n",  // a sign std::stoul would take
           "eth0\t0200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\n",    // too few digits
           "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FF00FF\n",  // a mask with a hole
       }) {
    const auto routes = parse_ipv4_routes(header + line, "/proc/net/route");
    ASSERT_FALSE(routes) << line;
    EXPECT_NE(routes.error().message.find("/proc/net/route has a line Moat cannot read: eth0"), std::string::npos)
        << routes.error().message;
  }
}

TEST(HostNetworkFiles, Ipv6RoutesAreReadWithoutTheDefaultRoute) {
  const auto routes = parse_ipv6_routes(
      "fd000000000000000000000000000000 40 00000000000000000000000000000000 00 "
      "00000000000000000000000000000000 00000100 00000002 00000000 00000001     eth0\n"
      "00000000000000000000000000000000 00 00000000000000000000000000000000 00 "
      "fd000000000000000000000000000001 00000400 00000003 00000000 00000003     eth0\n",
      "/proc/net/ipv6_route");
  ASSERT_TRUE(routes) << routes.error().message;
  EXPECT_EQ(described(*routes), (std::vector<std::string>{"the host's route to fd00::/64 through eth0"}));
}

TEST(HostNetworkFiles, AnIpv6RouteLongerThan128BitsIsAnError) {
  const auto routes = parse_ipv6_routes(
      "fd000000000000000000000000000000 81 00000000000000000000000000000000 00 "
      "00000000000000000000000000000000 00000100 00000002 00000000 00000001     eth0\n",
      "/proc/net/ipv6_route");
  EXPECT_FALSE(routes);
}

TEST(HostNetworkFiles, NameserversAreTheAddressesOfNameserverLines) {
  const auto servers = parse_nameservers(
      "# generated\nsearch example.org\nnameserver 10.255.255.53\nnameserver not-an-address\n"
      "nameserver fd00::53\n  nameserver   192.0.2.53  \n",
      "/etc/resolv.conf");
  EXPECT_EQ(described(servers), (std::vector<std::string>{"the host's nameserver 10.255.255.53 (/etc/resolv.conf)",
                                                          "the host's nameserver fd00::53 (/etc/resolv.conf)",
                                                          "the host's nameserver 192.0.2.53 (/etc/resolv.conf)"}));
}

}  // namespace
}  // namespace moat::core::policy
