// moatd exports its audit records to the organisation's collector (a real
// rsyslogd over TLS here), and a collector that was down gets every record
// it missed once it is back.
#include <algorithm>
#include <map>
#include <regex>
#include <set>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "harness/raw_socket.h"
#include "harness/test_stack.h"
#include "unit/core/audit/export/rsyslog_receiver.h"

namespace moat::testing {
namespace {

using moat::testing_rsyslog::RsyslogReceiver;

// seq -> how often it arrived, for the moatd log's records and checkpoints.
struct Arrived {
  std::map<std::uint64_t, int> records;
  std::vector<std::string> refused;  // messages of settings.refused records
};

Arrived arrived(const std::vector<std::string>& messages) {
  Arrived out;
  static const std::regex record(R"re(^<\d+>1 \S+ \S+ moat - moatd \[moat@32473 seq="(\d+)" rule=)re");
  for (const auto& m : messages) {
    std::smatch match;
    if (!std::regex_search(m, match, record)) continue;
    ++out.records[std::stoull(match[1].str())];
    if (m.find("rule=\"settings.refused\" outcome=\"deny\"") != std::string::npos) out.refused.push_back(m);
  }
  return out;
}

// Waits until the collector holds `count` settings.refused records.
Arrived wait_for_refusals(const RsyslogReceiver& receiver, std::size_t count) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (;;) {
    Arrived got = arrived(receiver.messages());
    if (got.refused.size() >= count || std::chrono::steady_clock::now() > deadline) return got;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

nlohmann::json export_status(const TestStack& s) {
  const std::string reply =
      raw_exchange(s.root() + "/control.sock", "GET /status HTTP/1.0\r\nHost: moat\r\n\r\n");
  return nlohmann::json::parse(http_body(reply), nullptr, false).value("auditExport", nlohmann::json());
}

TEST(SyslogExport, RefusalsReachTheCollectorAndNothingIsLostWhileItIsDown) {
  RsyslogReceiver receiver(RsyslogReceiver::Mode::kTls);
  receiver.start();
  TestStack s("syslog-export", test_admin_settings(R"("moat": {"audit": {"locked": true, "syslog": ")" +
                                                   receiver.target() + R"(", "syslogCaFile": ")" +
                                                   receiver.ca_file() + R"("}})"));
  ASSERT_EQ(s.up().exit_code, 0) << s.logs();
  const std::string refuse = bin_dir() + "/moatctl settings set enhancedContainerIsolation false --root " + s.root();

  ASSERT_EQ(s.as_developer(refuse).exit_code, 1);
  Arrived got = wait_for_refusals(receiver, 1);
  ASSERT_EQ(got.refused.size(), 1u) << receiver.diagnostics() << s.logs();
  EXPECT_NE(got.refused[0].find(" moat - moatd [moat@32473 seq=\"1\" rule=\"settings.refused\" outcome=\"deny\" uid=\""),
            std::string::npos)
      << got.refused[0];
  EXPECT_TRUE(got.refused[0].starts_with("<84>1 ")) << got.refused[0];
  EXPECT_NE(got.refused[0].find("\xEF\xBB\xBF{\"caller\":{"), std::string::npos) << got.refused[0];
  EXPECT_NE(got.refused[0].find("is locked by your administrator"), std::string::npos) << got.refused[0];

  const auto status = export_status(s);
  EXPECT_EQ(status.value("state", ""), "exporting") << status.dump();
  EXPECT_EQ(status.value("target", ""), receiver.target()) << status.dump();

  // The collector goes away; the developer goes on.
  receiver.stop();
  for (int i = 0; i < 3; ++i) ASSERT_EQ(s.as_developer(refuse).exit_code, 1);
  // The exporter retries with backoff; status shows it falling behind.
  nlohmann::json behind;
  for (int i = 0; i < 150; ++i) {
    behind = export_status(s);
    if (behind["logs"]["moatd"]["recordsBehind"] == 3) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_FALSE(behind["logs"]["moatd"]["lastError"].is_null()) << behind.dump();
  EXPECT_EQ(behind["logs"]["moatd"]["exportedSeq"], 1) << behind.dump();
  EXPECT_EQ(behind["logs"]["moatd"]["recordsBehind"], 3) << behind.dump();

  receiver.start();
  got = wait_for_refusals(receiver, 4);
  ASSERT_EQ(got.refused.size(), 4u) << receiver.diagnostics() << s.logs();
  // Every record from 1 to the newest arrived, none twice.
  ASSERT_FALSE(got.records.empty());
  const std::uint64_t newest = got.records.rbegin()->first;
  EXPECT_EQ(newest, 4u);
  for (std::uint64_t seq = 1; seq <= newest; ++seq) EXPECT_EQ(got.records[seq], 1) << "seq " << seq;
  // The exporter updates its status after the collector took the batch.
  nlohmann::json caught_up;
  for (int i = 0; i < 100; ++i) {
    caught_up = export_status(s);
    if (caught_up["logs"]["moatd"]["recordsBehind"] == 0 && caught_up["logs"]["moatd"]["lastError"].is_null()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(caught_up["logs"]["moatd"]["lastError"].is_null()) << caught_up.dump();
  EXPECT_EQ(caught_up["logs"]["moatd"]["recordsBehind"], 0) << caught_up.dump();
  EXPECT_EQ(s.sanitizer_reports(), "");
}

TEST(SyslogExport, ATlsTargetWithoutCaExportsNothingAndStatusSaysWhy) {
  TestStack s("syslog-no-ca", test_admin_settings(R"("moat": {"audit": {"locked": true, "syslog": "tls://127.0.0.1:6514"}})"));
  ASSERT_EQ(s.up().exit_code, 0) << s.logs();
  const auto status = export_status(s);
  EXPECT_EQ(status.value("state", ""), "refused") << status.dump();
  EXPECT_EQ(status.value("error", ""),
            "audit export to \"tls://127.0.0.1:6514\" is off: a tls target needs moat.audit.syslogCaFile, the CA "
            "the collector's certificate must chain to")
      << status.dump();
}

}  // namespace
}  // namespace moat::testing
