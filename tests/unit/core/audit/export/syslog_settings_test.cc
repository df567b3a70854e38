// The export settings are checked when the admin file loads.
#include <gtest/gtest.h>

#include "core/settings/admin_settings.h"
#include "core/settings/setting_spec.h"

namespace moat::core::settings {
namespace {

std::vector<std::string> problems_of(const std::string& audit_members) {
  const auto parsed = parse_admin_settings(R"({"configurationFileVersion": 2, "moat": {"audit": {)" +
                                           audit_members + "}}}");
  std::vector<std::string> out;
  if (!parsed) {
    for (const auto& p : parsed.error()) out.push_back(p.key_path + ": " + p.message);
  }
  return out;
}

TEST(SyslogSettings, AreLockedMoatKeysDefaultingToOff) {
  for (const std::string key : {"moat.audit.syslog", "moat.audit.syslogCaFile", "moat.audit.syslogClientCert",
                                "moat.audit.syslogClientKey"}) {
    const SettingSpec* spec = find_setting(key);
    ASSERT_NE(spec, nullptr) << key;
    EXPECT_TRUE(spec->locked_by_default) << key;
    EXPECT_EQ(spec->default_value, "") << key;
    EXPECT_EQ(spec->lock_pointer, "/moat/audit/locked") << key;
  }
}

TEST(SyslogSettings, AcceptsAWellFormedTlsTarget) {
  EXPECT_EQ(problems_of(R"("locked": true, "syslog": "tls://siem.example.org:6514", "syslogCaFile": "/etc/moat/siem-ca.pem")"),
            std::vector<std::string>{});
}

TEST(SyslogSettings, RefusesABadTargetSayingWhy) {
  EXPECT_EQ(problems_of(R"("syslog": "udp://10.0.0.1:514")"),
            std::vector<std::string>{"moat.audit.syslog: syslog target \"udp://10.0.0.1:514\": unknown form; expected "
                                     "\"\" (off), \"local\", \"tcp://HOST:PORT\" or \"tls://HOST:PORT\""});
  EXPECT_EQ(problems_of(R"("syslog": 514)"),
            std::vector<std::string>{"moat.audit.syslog: expected a string, found the number 514"});
}

TEST(SyslogSettings, RefusesRelativeCertificatePaths) {
  EXPECT_EQ(problems_of(R"("syslogCaFile": "ca.pem", "syslogClientKey": "k.pem")"),
            (std::vector<std::string>{"moat.audit.syslogCaFile: \"ca.pem\" must be an absolute path",
                                      "moat.audit.syslogClientKey: \"k.pem\" must be an absolute path"}));
}

}  // namespace
}  // namespace moat::core::settings
