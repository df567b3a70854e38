#include "core/net/ip_prefix.h"

#include <gtest/gtest.h>

namespace moat::core::net {
namespace {

IpPrefix prefix(const std::string& text) { return *IpPrefix::parse(text, true); }

TEST(IpPrefix, ReadsPrefixesAndAddresses) {
  EXPECT_EQ(prefix("10.1.2.0/24").to_string(), "10.1.2.0/24");
  EXPECT_EQ(prefix("10.1.2.3").to_string(), "10.1.2.3");
  EXPECT_EQ(prefix("10.1.2.3/24").to_string(), "10.1.2.0/24");
  EXPECT_EQ(prefix("FD00:0:0::1/64").to_string(), "fd00::/64");
  EXPECT_EQ(prefix("fd00::1").to_string(), "fd00::1");
  EXPECT_TRUE(prefix("10.0.0.0/8").is_v4());
  EXPECT_FALSE(prefix("fd00::/8").is_v4());
}

TEST(IpPrefix, RefusesWhatIsNotOne) {
  for (const char* text : {"", "10.1.2.0/", "10.1.2.0/33", "10.1.2", "010.1.2.0/24", "10.1.2.0/24/1",
                           "fe80::1%eth0", "fd00::/129", "10.1.2.0/-1", "host.example"}) {
    EXPECT_FALSE(IpPrefix::parse(text, true)) << text;
  }
  const auto bare = IpPrefix::parse("10.1.2.3", false);
  ASSERT_FALSE(bare);
  EXPECT_EQ(bare.error().message, "\"10.1.2.3\" is not an IP prefix such as 10.1.0.0/16");
}

TEST(IpPrefix, ContainsAndOverlaps) {
  EXPECT_TRUE(prefix("10.0.0.0/8").contains(prefix("10.2.0.0/16")));
  EXPECT_TRUE(prefix("10.0.0.0/8").contains(prefix("10.0.0.0/8")));
  EXPECT_FALSE(prefix("10.2.0.0/16").contains(prefix("10.0.0.0/8")));
  EXPECT_TRUE(prefix("10.2.0.0/16").overlaps(prefix("10.0.0.0/8")));
  EXPECT_FALSE(prefix("10.2.0.0/16").overlaps(prefix("10.3.0.0/16")));
  EXPECT_TRUE(prefix("10.2.0.0/16").overlaps(prefix("10.2.255.53")));
  // A v4-mapped IPv6 range is IPv6 to the policy: never inside an IPv4 pool.
  EXPECT_FALSE(prefix("10.0.0.0/8").overlaps(prefix("::ffff:10.0.0.0/104")));
  EXPECT_TRUE(prefix("0.0.0.0/0").is_default_route());
  EXPECT_TRUE(prefix("::/0").is_default_route());
  EXPECT_FALSE(prefix("10.0.0.0/8").is_default_route());
}

}  // namespace
}  // namespace moat::core::net
