#include "core/policy/log_driver.h"

#include <gtest/gtest.h>

#include "policy_test_support.h"

namespace moat::core::policy {
namespace {

using test_support::create_with;
using test_support::json;
using test_support::PolicyHarness;

json log_config(const std::string& type, json options = json::object()) {
  return json{{"Type", type}, {"Config", std::move(options)}};
}

TEST(LogDriver, TheDefaultAndTheDriversThatKeepOutputHereAreAllowed) {
  PolicyHarness h;
  EXPECT_TRUE(h.decide(create_with({})).allowed);
  EXPECT_TRUE(h.decide(create_with({{"LogConfig", nullptr}})).allowed);
  EXPECT_TRUE(h.decide(create_with({{"LogConfig", log_config("")}})).allowed);
  for (const char* driver : {"json-file", "local", "none"}) {
    const auto d = h.decide(create_with({{"LogConfig", log_config(driver, {{"max-size", "10m"}})}}));
    EXPECT_TRUE(d.allowed) << driver << ": " << d.message();
  }
}

TEST(LogDriver, ADriverThatSendsOutputElsewhereIsRefused) {
  PolicyHarness h;
  const auto d = h.decide(
      create_with({{"LogConfig", log_config("syslog", {{"syslog-address", "tcp://127.0.0.1:5555"}})}}));
  EXPECT_EQ(d.message(),
            "Moat refused this request: --log-driver syslog is not allowed: the engine itself would send the "
            "container's output, as root from the host, wherever the log options say; json-file, local and "
            "none keep it on this machine (setting moat.allowAnyLogDriver). An admin can allow it with "
            "\"moat\": {\"allowAnyLogDriver\": {\"value\": true}} in admin-settings.json.");
  for (const char* driver : {"journald", "gelf", "fluentd", "splunk", "awslogs", "gcplogs", "logentries",
                             "JSON-FILE", "json-file ", "vendor/plugin:latest"}) {
    EXPECT_EQ(h.decide(create_with({{"LogConfig", log_config(driver)}})).rule, "container.log-driver") << driver;
  }
}

TEST(LogDriver, TheAdminCanAllowAnyDriver) {
  PolicyHarness h;
  h.set("moat.allowAnyLogDriver", true);
  EXPECT_TRUE(h.decide(create_with({{"LogConfig", log_config("gelf")}})).allowed);
}

TEST(LogDriver, ADriverThatIsNotAStringIsMalformed) {
  PolicyHarness h;
  EXPECT_EQ(h.decide(create_with({{"LogConfig", json{{"Type", 7}}}})).reason,
            "the request body member /HostConfig/LogConfig/Type is not a string");
  EXPECT_EQ(h.decide(create_with({{"LogConfig", "syslog"}})).rule, "request.malformed");
}

}  // namespace
}  // namespace moat::core::policy
