#include "core/engine/engine_config.h"

#include <gtest/gtest.h>

namespace moat::core::engine {
namespace {

using settings::AdminSettings;
using settings::EffectiveSettings;
using settings::UserSettings;

const EngineLayout kLayout{"/run/moat/engine.sock", "/var/lib/moat/engine", "/run/moat/engine",
                           "/run/moat/dockerd.pid", "/var/lib/moat/runtime-bin", ""};

TEST(EngineConfig, MoatOwnsListenersStateAndRuntime) {
  auto admin = settings::parse_admin_settings(R"({"configurationFileVersion": 2,
      "linuxVM": {"dockerDaemonOptions": {"locked": true,
        "value": "{\"debug\": true, \"bridge\": \"none\"}"}}})");
  ASSERT_TRUE(admin);
  const auto config = derive_engine_config(EffectiveSettings(*admin, UserSettings{}), kLayout);
  const auto& d = config.daemon_json;
  EXPECT_EQ(d["debug"], true);
  EXPECT_EQ(d["bridge"], "none");
  EXPECT_EQ(d["hosts"], nlohmann::json({"unix:///run/moat/engine.sock"}));
  EXPECT_EQ(d["group"], "root");
  EXPECT_EQ(d["data-root"], "/var/lib/moat/engine");
  EXPECT_EQ(d["default-runtime"], "runc");
  EXPECT_FALSE(d.contains("runtimes"));
  EXPECT_EQ(d["live-restore"], false);
  EXPECT_EQ(config.environment, (std::map<std::string, std::string>{
                                    {"PATH", std::string("/var/lib/moat/runtime-bin:") + kSystemPath}}));
}

TEST(EngineConfig, ContainersProxyOutranksProxy) {
  auto admin = settings::parse_admin_settings(R"({"configurationFileVersion": 2,
      "proxy": {"mode": "manual", "http": "http://app:1", "https": "http://app:2"},
      "containersProxy": {"mode": "manual", "https": "http://pulls:3", "exclude": "a,b"}})");
  ASSERT_TRUE(admin);
  const auto config = derive_engine_config(EffectiveSettings(*admin, UserSettings{}), kLayout);
  EXPECT_EQ(config.environment.at("HTTPS_PROXY"), "http://pulls:3");
  EXPECT_EQ(config.environment.at("NO_PROXY"), "a,b");
  EXPECT_FALSE(config.environment.contains("HTTP_PROXY"));
}

TEST(EngineConfig, ManualProxyBecomesEngineEnvironment) {
  auto admin = settings::parse_admin_settings(R"({"configurationFileVersion": 2,
      "proxy": {"mode": "manual", "http": "http://p:3128", "https": "http://p:3129", "exclude": ["x"]}})");
  ASSERT_TRUE(admin);
  const auto config = derive_engine_config(EffectiveSettings(*admin, UserSettings{}), kLayout);
  EXPECT_EQ(config.environment.at("HTTP_PROXY"), "http://p:3128");
  EXPECT_EQ(config.environment.at("HTTPS_PROXY"), "http://p:3129");
  EXPECT_EQ(config.environment.at("NO_PROXY"), "x");
}

TEST(EngineConfig, LocalPortBindingKeepsUnaddressedPortsOnLoopback) {
  for (const auto& [behavior, ip] : {std::pair{"default-port-binding", ""},
                                     std::pair{"default-local-port-binding", "127.0.0.1"},
                                     std::pair{"local-only-port-binding", "127.0.0.1"}}) {
    auto admin = settings::parse_admin_settings(std::string(R"({"configurationFileVersion": 2,
        "portBindingBehavior": {"locked": true, "value": ")") + behavior + R"("}})");
    ASSERT_TRUE(admin) << behavior;
    const EffectiveSettings effective(*admin, UserSettings{});
    EXPECT_EQ(binds_ports_locally(effective), std::string(ip) == "127.0.0.1") << behavior;
    const auto d = derive_engine_config(effective, kLayout).daemon_json;
    EXPECT_EQ(d.value("ip", ""), ip) << behavior;
  }
}

}  // namespace
}  // namespace moat::core::engine
