#include "core/engine/address_pools.h"

#include <gtest/gtest.h>

namespace moat::core::engine {
namespace {

Result<std::vector<net::IpPrefix>> pools_of(const std::string& daemon_options) {
  const auto admin = settings::parse_admin_settings(
      R"({"configurationFileVersion": 2, "linuxVM": {"dockerDaemonOptions": {"locked": true, "value": )" +
      nlohmann::json(daemon_options).dump() + "}}}");
  EXPECT_TRUE(admin);
  return address_pools(settings::EffectiveSettings(*admin, settings::UserSettings{}));
}

std::string listed(const std::vector<net::IpPrefix>& pools) {
  std::string out;
  for (const auto& pool : pools) out += (out.empty() ? "" : " ") + pool.to_string();
  return out;
}

TEST(AddressPools, TheEnginesOwnWhenTheAdminNamesNone) {
  const auto pools = pools_of("{}");
  ASSERT_TRUE(pools);
  EXPECT_EQ(listed(*pools),
            "172.17.0.0/16 172.18.0.0/16 172.19.0.0/16 172.20.0.0/14 172.24.0.0/14 172.28.0.0/14 "
            "192.168.0.0/16");
}

TEST(AddressPools, TheAdminsReplaceThem) {
  const auto pools = pools_of(
      R"({"default-address-pools": [{"base": "10.10.0.0/16", "size": 24}, {"base": "10.20.0.0/16", "size": 24}]})");
  ASSERT_TRUE(pools);
  EXPECT_EQ(listed(*pools), "10.10.0.0/16 10.20.0.0/16");
}

TEST(AddressPools, AValueThatIsNotAListOfBasesIsAnError) {
  for (const char* options : {R"({"default-address-pools": {"base": "10.10.0.0/16"}})",
                              R"({"default-address-pools": [{"size": 24}]})",
                              R"({"default-address-pools": [{"base": "10.10.0.0"}]})"}) {
    const auto pools = pools_of(options);
    ASSERT_FALSE(pools) << options;
    EXPECT_EQ(pools.error().message,
              "default-address-pools in linuxVM.dockerDaemonOptions is not a list of {\"base\": "
              "\"10.10.0.0/16\", \"size\": 24}");
  }
}

}  // namespace
}  // namespace moat::core::engine
