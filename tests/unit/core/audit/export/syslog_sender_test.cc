// The sender against a real collector: rsyslogd started by the test.
#include "core/audit/export/syslog_sender.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <array>
#include <cstring>

#include <gtest/gtest.h>

#include "../audit_test_support.h"
#include "core/audit/export/audit_exporter.h"
#include "core/audit/export/syslog_message.h"
#include "rsyslog_receiver.h"

namespace moat::core::audit::exporter {
namespace {

using moat::testing_rsyslog::RsyslogReceiver;
using namespace moat::core::audit::testing_support;

const std::string kBom = "\xEF\xBB\xBF";

SenderOptions options_for(const RsyslogReceiver& receiver, const std::string& target_text) {
  auto target = parse_syslog_target(target_text);
  if (!target || !*target) throw std::runtime_error("bad target " + target_text);
  SenderOptions options;
  options.target = **target;
  options.ca_file = receiver.ca_file();
  options.timeout = std::chrono::milliseconds(3000);
  return options;
}

std::unique_ptr<SyslogSender> sender_for(const SenderOptions& options) {
  auto sender = make_syslog_sender(options);
  if (!sender) throw std::runtime_error(sender.error().message);
  return std::move(*sender);
}

const std::vector<std::string> kMessages = {
    "<86>1 2026-08-01T10:00:00.123Z h moat - moatd [moat@32473 seq=\"1\" rule=\"r\" outcome=\"allow\"] " + kBom +
        "{\"seq\":1}",
    "<84>1 2026-08-01T10:00:00.124Z h moat - moatd [moat@32473 seq=\"2\" rule=\"x\\]\" outcome=\"deny\"] " + kBom +
        "{\"reason\":\"caf\xC3\xA9 \\\"q\\\"\",\"seq\":2}",
};

void expect_delivery(RsyslogReceiver::Mode mode) {
  RsyslogReceiver receiver(mode);
  receiver.start();
  auto sender = sender_for(options_for(receiver, receiver.target()));
  for (const auto& m : kMessages) {
    const auto sent = sender->send(m);
    ASSERT_TRUE(sent) << sent.error().message;
  }
  const auto confirmed = sender->confirm();
  ASSERT_TRUE(confirmed) << confirmed.error().message;
  EXPECT_EQ(receiver.wait_for(2), kMessages) << receiver.diagnostics();
}

TEST(SyslogSenderWithRsyslog, DeliversOverTls) { expect_delivery(RsyslogReceiver::Mode::kTls); }
TEST(SyslogSenderWithRsyslog, DeliversOverTcp) { expect_delivery(RsyslogReceiver::Mode::kTcp); }

TEST(SyslogSenderWithRsyslog, RefusesACollectorWhoseCertificateDoesNotChainToTheCa) {
  RsyslogReceiver receiver(RsyslogReceiver::Mode::kTls);
  receiver.start();
  auto options = options_for(receiver, receiver.target());
  options.ca_file = receiver.other_ca_file();
  const auto sent = sender_for(options)->send(kMessages[0]);
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error().message, "TLS handshake with " + receiver.target() +
                                      ": the collector's certificate is refused: self-signed certificate in "
                                      "certificate chain (it must chain to " + receiver.other_ca_file() +
                                      " and name 127.0.0.1)");
  EXPECT_TRUE(receiver.messages().empty());
}

TEST(SyslogSenderWithRsyslog, RefusesACollectorCertificateForAnotherName) {
  RsyslogReceiver receiver(RsyslogReceiver::Mode::kTls);
  receiver.start();
  const std::string target = "tls://localhost:" + std::to_string(receiver.port());
  const auto sent = sender_for(options_for(receiver, target))->send(kMessages[0]);
  ASSERT_FALSE(sent);
  // localhost may resolve to ::1 first, where nobody listens; the handshake
  // with 127.0.0.1 is what must fail.
  EXPECT_EQ(sent.error().message, "TLS handshake with " + target +
                                      ": the collector's certificate is refused: hostname mismatch (it must chain "
                                      "to " + receiver.ca_file() + " and name localhost)");
}

TEST(SyslogSenderWithRsyslog, ReconnectsAfterTheCollectorRestartedWithoutLosingAMessage) {
  RsyslogReceiver receiver(RsyslogReceiver::Mode::kTls);
  receiver.start();
  auto sender = sender_for(options_for(receiver, receiver.target()));
  ASSERT_TRUE(sender->send(kMessages[0]));
  ASSERT_TRUE(sender->confirm());
  ASSERT_EQ(receiver.wait_for(1).size(), 1u);
  receiver.stop();

  const auto refused = sender->send(kMessages[1]);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message, "connecting to " + receiver.target() + ": Connection refused");

  receiver.start();
  const auto sent = sender->send(kMessages[1]);
  ASSERT_TRUE(sent) << sent.error().message;
  ASSERT_TRUE(sender->confirm());
  EXPECT_EQ(receiver.wait_for(2), kMessages) << receiver.diagnostics();
}

TEST(SyslogSenderWithRsyslog, NoticesACollectorThatLeftBeforeTheNextSend) {
  RsyslogReceiver receiver(RsyslogReceiver::Mode::kTcp);
  receiver.start();
  auto sender = sender_for(options_for(receiver, receiver.target()));
  ASSERT_TRUE(sender->send(kMessages[0]));
  ASSERT_TRUE(sender->confirm());
  ASSERT_EQ(receiver.wait_for(1).size(), 1u);
  receiver.stop();
  receiver.start();
  // The old connection is closed; the message goes over a new one.
  const auto sent = sender->send(kMessages[1]);
  ASSERT_TRUE(sent) << sent.error().message;
  ASSERT_TRUE(sender->confirm());
  EXPECT_EQ(receiver.wait_for(2), kMessages) << receiver.diagnostics();
}

TEST(SyslogSender, TlsWithoutACaIsRefusedBeforeAnythingIsSent) {
  SenderOptions options;
  options.target = SyslogTarget{SyslogTransport::kTls, "127.0.0.1", 6514, true};
  const auto sender = make_syslog_sender(options);
  ASSERT_FALSE(sender);
  EXPECT_EQ(sender.error().message,
            "a tls syslog target needs a CA file (setting moat.audit.syslogCaFile) to check the collector");
  options.ca_file = "/nonexistent/ca.pem";
  const auto unreadable = make_syslog_sender(options);
  ASSERT_FALSE(unreadable);
  EXPECT_TRUE(unreadable.error().message.starts_with("loading the syslog CA file /nonexistent/ca.pem: "))
      << unreadable.error().message;
}

TEST(SyslogSender, LocalSendsOneDatagramPerMessage) {
  TempDir dir;
  const std::string socket_path = (dir / "log").string();
  const int receiver = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(receiver, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path, socket_path.c_str(), socket_path.size() + 1);
  ASSERT_EQ(::bind(receiver, reinterpret_cast<const sockaddr*>(&address), sizeof(address)), 0);
  SenderOptions options;
  options.local_socket = socket_path;
  auto sender = sender_for(options);
  for (const auto& m : kMessages) ASSERT_TRUE(sender->send(m));
  ASSERT_TRUE(sender->confirm());
  for (const auto& m : kMessages) {
    std::array<char, 4096> buffer{};
    const ssize_t n = ::recv(receiver, buffer.data(), buffer.size(), MSG_DONTWAIT);
    ASSERT_GT(n, 0);
    EXPECT_EQ(std::string(buffer.data(), static_cast<std::size_t>(n)), m);
  }
  ::close(receiver);
  ::unlink(socket_path.c_str());
  const auto gone = sender->send(kMessages[0]);
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().message, "sending to the local syslog socket " + socket_path + ": Connection refused");
}

TEST(AuditExporterWithRsyslog, TheCollectorGetsEveryLineAndCanRebuildTheLog) {
  RsyslogReceiver receiver(RsyslogReceiver::Mode::kTls);
  receiver.start();
  TempDir dir;
  write_records(quiet_options(dir / "moatd"), new_key(), 1, 7);
  ExporterOptions options;
  options.log_dir = dir / "moatd";
  options.cursor_file = dir / "moatd.syslog-cursor";
  options.hostname = "host-1";
  auto opened = AuditExporter::open(options, sender_for(options_for(receiver, receiver.target())));
  ASSERT_TRUE(opened) << opened.error().message;
  const auto done = (*opened)->export_pending();
  ASSERT_TRUE(done) << done.error().message;
  const auto lines = read_lines(dir / "moatd" / "audit.log");
  ASSERT_EQ(*done, lines.size());
  const auto got = receiver.wait_for(lines.size());
  ASSERT_EQ(got.size(), lines.size()) << receiver.diagnostics();
  for (std::size_t i = 0; i < lines.size(); ++i) {
    auto entry = parse_line(lines[i]);
    ASSERT_TRUE(entry);
    EXPECT_EQ(got[i], format_syslog_message(*entry, lines[i], Component::kMoatd, "host-1"));
    // What follows the BOM is the line itself, so the collector holds the chain.
    EXPECT_TRUE(got[i].ends_with(kBom + lines[i]));
  }
}

}  // namespace
}  // namespace moat::core::audit::exporter
