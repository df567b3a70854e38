#include "core/audit/export/syslog_target.h"

#include <gtest/gtest.h>

namespace moat::core::audit::exporter {
namespace {

const std::string kForms =
    "; expected \"\" (off), \"local\", \"tcp://HOST:PORT\" or \"tls://HOST:PORT\"";

TEST(SyslogTarget, EmptyIsOff) {
  const auto parsed = parse_syslog_target("");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_FALSE(parsed->has_value());
}

struct Accepted {
  std::string text;
  SyslogTarget expected;
};

TEST(SyslogTarget, AcceptsEachFormAndWritesItBack) {
  const std::vector<Accepted> table = {
      {"local", {SyslogTransport::kLocal, "", 0, false}},
      {"tcp://127.0.0.1:514", {SyslogTransport::kTcp, "127.0.0.1", 514, true}},
      {"tls://siem.example.org:6514", {SyslogTransport::kTls, "siem.example.org", 6514, false}},
      {"tls://[::1]:6514", {SyslogTransport::kTls, "::1", 6514, true}},
      {"tcp://log-1:1", {SyslogTransport::kTcp, "log-1", 1, false}},
      {"tls://LOGS.Example.COM:65535", {SyslogTransport::kTls, "LOGS.Example.COM", 65535, false}},
  };
  for (const auto& row : table) {
    const auto parsed = parse_syslog_target(row.text);
    ASSERT_TRUE(parsed) << row.text << ": " << parsed.error().message;
    ASSERT_TRUE(parsed->has_value()) << row.text;
    EXPECT_EQ(**parsed, row.expected) << row.text;
    EXPECT_EQ(to_string(**parsed), row.text);
  }
}

struct Refused {
  std::string text;
  std::string message;
};

TEST(SyslogTarget, RefusesEverythingElseSayingWhy) {
  const std::vector<Refused> table = {
      {"udp://127.0.0.1:514", "syslog target \"udp://127.0.0.1:514\": unknown form"},
      {"Local", "syslog target \"Local\": unknown form"},
      {" local", "syslog target \" local\": unknown form"},
      {"TLS://h:1", "syslog target \"TLS://h:1\": unknown form"},
      {"tcp://127.0.0.1", "syslog target \"tcp://127.0.0.1\": the port is missing (\":PORT\" after the host)"},
      {"tcp://:514", "syslog target \"tcp://:514\": the host is missing"},
      {"tcp://h:0", "syslog target \"tcp://h:0\": the port must be a number from 1 to 65535 without leading zeros"},
      {"tcp://h:0514", "syslog target \"tcp://h:0514\": the port must be a number from 1 to 65535 without leading zeros"},
      {"tcp://h:65536", "syslog target \"tcp://h:65536\": the port must be a number from 1 to 65535 without leading zeros"},
      {"tcp://h:514/", "syslog target \"tcp://h:514/\": the port must be a number from 1 to 65535 without leading zeros"},
      {"tcp://h:+514", "syslog target \"tcp://h:+514\": the port must be a number from 1 to 65535 without leading zeros"},
      {"tcp://user@h:514", "syslog target \"tcp://user@h:514\": the host is not an IPv4 address or a DNS name"},
      {"tcp://h_1:514", "syslog target \"tcp://h_1:514\": the host is not an IPv4 address or a DNS name"},
      {"tcp://-h:514", "syslog target \"tcp://-h:514\": the host is not an IPv4 address or a DNS name"},
      {"tcp://h-.example:514", "syslog target \"tcp://h-.example:514\": the host is not an IPv4 address or a DNS name"},
      {"tcp://a..b:514", "syslog target \"tcp://a..b:514\": the host is not an IPv4 address or a DNS name"},
      {"tcp://999.1.1.1:514", "syslog target \"tcp://999.1.1.1:514\": the host is not an IPv4 address or a DNS name"},
      {"tcp://1.2.3:514", "syslog target \"tcp://1.2.3:514\": the host is not an IPv4 address or a DNS name"},
      {"tcp://::1:514", "syslog target \"tcp://::1:514\": an IPv6 address must be written in brackets, like [::1]"},
      {"tls://[::1]", "syslog target \"tls://[::1]\": the port is missing (\":PORT\" after the host)"},
      {"tls://[::1:6514", "syslog target \"tls://[::1:6514\": \"[\" without \"]\""},
      {"tls://[h]:6514", "syslog target \"tls://[h]:6514\": \"h\" in brackets is not an IPv6 address"},
      {std::string("tcp://h\n:514"), "syslog target \"tcp://h?:514\": the host is not an IPv4 address or a DNS name"},
      {"tcp://" + std::string(64, 'a') + ":514",
       "syslog target \"tcp://" + std::string(64, 'a') + ":514\": the host is not an IPv4 address or a DNS name"},
  };
  for (const auto& row : table) {
    const auto parsed = parse_syslog_target(row.text);
    ASSERT_FALSE(parsed) << row.text;
    EXPECT_EQ(parsed.error().message, row.message + kForms) << row.text;
  }
}

TEST(SyslogTarget, LongestLabelsAndNamesAreAccepted) {
  const std::string label(63, 'a');
  EXPECT_TRUE(parse_syslog_target("tcp://" + label + ":514"));
  const std::string name = label + "." + label + "." + label + "." + std::string(61, 'b');  // 253
  EXPECT_TRUE(parse_syslog_target("tcp://" + name + ":514"));
  EXPECT_FALSE(parse_syslog_target("tcp://" + name + "b:514"));
}

}  // namespace
}  // namespace moat::core::audit::exporter
