#include "core/policy/host_network.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace moat::core::policy {
namespace {

IpPrefix prefix(const std::string& text) { return *IpPrefix::parse(text, true); }

// The nameservers of this machine's /etc/resolv.conf, as the engine reads them.
std::vector<std::string> resolv_conf_nameservers() {
  std::vector<std::string> out;
  std::ifstream in("/etc/resolv.conf");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string keyword, address;
    if (fields >> keyword >> address && keyword == "nameserver") out.push_back(address);
  }
  return out;
}

TEST(RealHostNetwork, ReadsThisHostsRoutesAddressesAndNameservers) {
  const auto uses = real_host_network().addresses_in_use();
  ASSERT_TRUE(uses) << uses.error().message;
  bool loopback = false;
  bool route = false;
  for (const auto& use : *uses) {
    EXPECT_FALSE(use.prefix.is_default_route()) << use.description;
    loopback = loopback || use.description == "the host's address 127.0.0.1 on lo";
    route = route || use.description.rfind("the host's route to ", 0) == 0;
  }
  EXPECT_TRUE(loopback);
  EXPECT_TRUE(route);
  for (const auto& nameserver : resolv_conf_nameservers()) {
    bool found = false;
    for (const auto& use : *uses) {
      found = found || use.description == "the host's nameserver " + prefix(nameserver).to_string() +
                                              " (/etc/resolv.conf)";
    }
    EXPECT_TRUE(found) << nameserver;
  }
}

TEST(RealHostNetwork, ReadsWhetherThisHostForwardsIpv6) {
  std::ifstream in("/proc/sys/net/ipv6/conf/all/forwarding");
  std::string value;
  ASSERT_TRUE(in >> value) << "this machine's kernel has IPv6";
  const auto forwards = real_host_network().forwards_ipv6();
  ASSERT_TRUE(forwards) << forwards.error().message;
  EXPECT_EQ(*forwards, value == "1");
}

}  // namespace
}  // namespace moat::core::policy
