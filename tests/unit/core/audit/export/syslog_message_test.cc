#include "core/audit/export/syslog_message.h"

#include <gtest/gtest.h>

namespace moat::core::audit::exporter {
namespace {

const std::string kBom = "\xEF\xBB\xBF";

Timestamp at(const std::string& text) {
  auto time = parse_time(text);
  if (!time) throw std::runtime_error(time.error().message);
  return *time;
}

Record denied_record() {
  Record r;
  r.seq = 42;
  r.time = at("2026-08-01T10:00:00.123Z");
  r.component = Component::kMoatd;
  r.caller = Caller{1000, 4242, "/usr/bin/docker"};
  r.container = "web";
  r.request = "POST /containers/create";
  r.rule = "ecil.privileged";
  r.outcome = Outcome::kDeny;
  r.reason = "privileged containers are refused";
  r.prev = std::string(64, 'a');
  return r;
}

TEST(SyslogMessage, DeniedRecordExactBytes) {
  const Record r = denied_record();
  const std::string line = to_line(r);
  EXPECT_EQ(format_syslog_message(r, line, Component::kMoatd, "build-07"),
            "<84>1 2026-08-01T10:00:00.123Z build-07 moat - moatd [moat@32473 seq=\"42\" "
            "rule=\"ecil.privileged\" outcome=\"deny\" uid=\"1000\" container=\"web\"] " +
                kBom + line);
}

TEST(SyslogMessage, SeverityFollowsTheOutcome) {
  Record r = denied_record();
  EXPECT_EQ(syslog_priority(r), 84);  // authpriv.warning
  r.outcome = Outcome::kError;
  EXPECT_EQ(syslog_priority(r), 83);  // authpriv.err
  r.outcome = Outcome::kAllow;
  EXPECT_EQ(syslog_priority(r), 86);  // authpriv.info
  EXPECT_EQ(syslog_priority(Entry{Checkpoint{}}), 86);
}

TEST(SyslogMessage, RecordWithoutCallerOrContainerLeavesThemOut) {
  Record r = denied_record();
  r.caller.reset();
  r.container.reset();
  r.component = Component::kMoatRunc;
  r.outcome = Outcome::kAllow;
  r.rule = "runtime.start";
  const std::string line = to_line(r);
  EXPECT_EQ(format_syslog_message(r, line, Component::kMoatRunc, "h"),
            "<86>1 2026-08-01T10:00:00.123Z h moat - moat-runc [moat@32473 seq=\"42\" rule=\"runtime.start\" "
            "outcome=\"allow\"] " + kBom + line);
}

TEST(SyslogMessage, HostileStringsCannotCloseTheStructuredData) {
  Record r = denied_record();
  r.container = "x\"] [evil@1 a=\"b\\";
  r.rule = "r]\n<13>1 fake";
  r.outcome = Outcome::kError;
  const std::string line = to_line(r);
  EXPECT_EQ(format_syslog_message(r, line, Component::kMoatd, "bad host\n<13>"),
            "<83>1 2026-08-01T10:00:00.123Z bad-host-<13> moat - moatd [moat@32473 seq=\"42\" "
            "rule=\"r\\]?<13>1 fake\" outcome=\"error\" uid=\"1000\" container=\"x\\\"\\] [evil@1 a=\\\"b\\\\\"] " +
                kBom + line);
  // The line itself is JSON: its newline is escaped, so MSG stays one line.
  EXPECT_EQ(line.find('\n'), std::string::npos);
}

TEST(SyslogMessage, CheckpointCarriesItsSeqAndType) {
  Checkpoint c;
  c.seq = 7;
  c.time = at("2026-08-01T10:00:01.000Z");
  c.prev = std::string(64, 'b');
  c.head = std::string(64, 'b');
  c.count = 7;
  c.sig = std::string(86, 'A') + "==";
  const std::string line = to_line(c);
  EXPECT_EQ(format_syslog_message(Entry{c}, line, Component::kMoatd, "h"),
            "<86>1 2026-08-01T10:00:01.000Z h moat - moatd [moat@32473 seq=\"7\" type=\"checkpoint\"] " + kBom + line);
}

TEST(SyslogMessage, HostnameFieldIsPrintableAsciiWithoutSpaces) {
  EXPECT_EQ(syslog_hostname(""), "-");
  EXPECT_EQ(syslog_hostname("host.example.org"), "host.example.org");
  EXPECT_EQ(syslog_hostname("h\xC3\xA9 t"), "h---t");
  EXPECT_EQ(syslog_hostname(std::string(300, 'a')), std::string(255, 'a'));
}

TEST(SyslogMessage, ParamValueEscaping) {
  EXPECT_EQ(escape_param_value(R"(a"b\c]d)"), R"(a\"b\\c\]d)");
  EXPECT_EQ(escape_param_value(std::string("t\tn\nd\x7f")), "t?n?d?");
  EXPECT_EQ(escape_param_value("caf\xC3\xA9"), "caf\xC3\xA9");
}

TEST(SyslogMessage, OctetCountingFrame) {
  EXPECT_EQ(octet_counted_frame("<86>1 - - - - - -"), "17 <86>1 - - - - - -");
  EXPECT_EQ(octet_counted_frame(""), "0 ");
  EXPECT_EQ(octet_counted_frame(kBom + "x"), "4 " + kBom + "x");
}

}  // namespace
}  // namespace moat::core::audit::exporter
