#include "core/audit/export/audit_exporter.h"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include "../audit_test_support.h"
#include "core/audit/export/syslog_message.h"
#include "core/audit/log_files.h"

namespace moat::core::audit::exporter {
namespace {

using namespace moat::core::audit::testing_support;

// Keeps what it was given; fails on request, like a collector that is down.
struct FakeCollector {
  std::vector<std::string> sent;       // every send, in order
  std::vector<std::string> confirmed;  // what a confirm() vouched for
  std::size_t unconfirmed_from = 0;
  int fail_sends_after = -1;  // -1: never
  bool fail_confirm = false;
};

class FakeSender : public SyslogSender {
 public:
  explicit FakeSender(FakeCollector& collector) : c_(collector) {}
  Result<void> send(std::string_view message) override {
    if (c_.fail_sends_after == 0) return fail("connecting to tcp://collector:514: Connection refused");
    if (c_.fail_sends_after > 0) --c_.fail_sends_after;
    c_.sent.emplace_back(message);
    return {};
  }
  Result<void> confirm() override {
    if (c_.fail_confirm) {
      c_.unconfirmed_from = c_.sent.size();
      return fail("sending to tcp://collector:514: the collector closed the connection");
    }
    for (std::size_t i = c_.unconfirmed_from; i < c_.sent.size(); ++i) c_.confirmed.push_back(c_.sent[i]);
    c_.unconfirmed_from = c_.sent.size();
    return {};
  }
  void disconnect() override { c_.unconfirmed_from = c_.sent.size(); }

 private:
  FakeCollector& c_;
};

// The audit line at the end of a message (after the BOM).
std::string line_of(const std::string& message) {
  const auto bom = message.find("\xEF\xBB\xBF");
  return bom == std::string::npos ? "" : message.substr(bom + 3);
}

class AuditExporterTest : public ::testing::Test {
 protected:
  std::filesystem::path log_dir() const { return dir_ / "moatd"; }
  std::filesystem::path cursor() const { return dir_ / "moatd.syslog-cursor"; }

  std::unique_ptr<AuditExporter> exporter(std::size_t batch = 256) {
    ExporterOptions options;
    options.log_dir = log_dir();
    options.cursor_file = cursor();
    options.hostname = "host-1";
    options.batch = batch;
    auto opened = AuditExporter::open(std::move(options), std::make_unique<FakeSender>(collector_));
    if (!opened) throw std::runtime_error(opened.error().message);
    return std::move(*opened);
  }

  // Every line of every log file, oldest first.
  std::vector<std::string> all_lines() const {
    std::vector<std::string> out;
    auto files = list_log_files(log_dir());
    if (!files) return out;
    for (const auto& f : *files) {
      for (auto& l : read_lines(f.path)) out.push_back(std::move(l));
    }
    return out;
  }

  std::vector<std::string> confirmed_lines() const {
    std::vector<std::string> out;
    for (const auto& m : collector_.confirmed) out.push_back(line_of(m));
    return out;
  }

  TempDir dir_;
  SigningKey key_ = new_key();
  FakeCollector collector_;
};

TEST_F(AuditExporterTest, ExportsEveryRecordAndCheckpointInOrderAndSavesTheCursor) {
  write_records(quiet_options(log_dir()), key_, 1, 12);  // checkpoints after 5, 10 and at close (12)
  auto e = exporter();
  const auto done = e->export_pending();
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(*done, 15u);
  EXPECT_EQ(confirmed_lines(), all_lines());
  EXPECT_EQ(read_text(cursor()), "{\"checkpoint\":true,\"seq\":12}\n");
  EXPECT_TRUE(collector_.confirmed[0].starts_with("<86>1 2026-")) << collector_.confirmed[0];
  EXPECT_NE(collector_.confirmed[0].find(" host-1 moat - moatd [moat@32473 seq=\"1\" rule=\"rule-1\" "
                                         "outcome=\"allow\" uid=\"1001\"] "),
            std::string::npos)
      << collector_.confirmed[0];
  EXPECT_NE(collector_.confirmed[5].find("[moat@32473 seq=\"5\" type=\"checkpoint\"]"), std::string::npos);
  const auto status = e->status();
  EXPECT_EQ(status.exported.seq, 12u);
  EXPECT_EQ(status.behind(), 0u);
  EXPECT_EQ(status.sent, 15u);
  EXPECT_FALSE(status.last_error);

  // Nothing new: nothing sent. New records: only those.
  ASSERT_TRUE(e->export_pending());
  EXPECT_EQ(collector_.sent.size(), 15u);
  write_records(quiet_options(log_dir()), key_, 13, 14);
  ASSERT_TRUE(e->export_pending());
  EXPECT_EQ(confirmed_lines(), all_lines());
  EXPECT_EQ(collector_.sent.size(), 18u);  // 13, 14 and the closing checkpoint
}

TEST_F(AuditExporterTest, ANewExporterContinuesFromTheSavedCursor) {
  write_records(quiet_options(log_dir()), key_, 1, 3);
  ASSERT_TRUE(exporter()->export_pending());
  write_records(quiet_options(log_dir()), key_, 4, 4);
  collector_.confirmed.clear();
  ASSERT_TRUE(exporter()->export_pending());
  const auto lines = all_lines();
  ASSERT_EQ(lines.size(), 6u);  // 1 2 3 cp3 4 cp4
  EXPECT_EQ(confirmed_lines(), std::vector<std::string>(lines.begin() + 4, lines.end()));
}

TEST_F(AuditExporterTest, ACollectorThatIsDownLosesNothing) {
  write_records(quiet_options(log_dir()), key_, 1, 9);  // 11 entries
  auto e = exporter(4);
  collector_.fail_sends_after = 6;  // the second batch breaks off
  const auto failed = e->export_pending();
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().message, "connecting to tcp://collector:514: Connection refused");
  EXPECT_EQ(read_text(cursor()), "{\"checkpoint\":false,\"seq\":4}\n");
  auto status = e->status();
  EXPECT_EQ(status.last_error, "connecting to tcp://collector:514: Connection refused");
  EXPECT_EQ(status.failures, 1u);
  EXPECT_EQ(status.exported.seq, 4u);

  // A confirmation that fails keeps the cursor where it was.
  collector_.fail_sends_after = -1;
  collector_.fail_confirm = true;
  ASSERT_FALSE(e->export_pending());
  EXPECT_EQ(read_text(cursor()), "{\"checkpoint\":false,\"seq\":4}\n");

  collector_.fail_confirm = false;
  const auto done = e->export_pending();
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(*done, 7u);
  EXPECT_EQ(confirmed_lines(), all_lines());  // contiguous, each once
  EXPECT_FALSE(e->status().last_error);
  EXPECT_EQ(e->status().failures, 2u);
}

TEST_F(AuditExporterTest, FollowsRotation) {
  auto options = quiet_options(log_dir());
  options.max_file_bytes = 1200;
  write_records(options, key_, 1, 6);
  auto e = exporter(3);
  ASSERT_TRUE(e->export_pending());
  write_records(options, key_, 7, 20);
  auto files = list_log_files(log_dir());
  ASSERT_TRUE(files);
  ASSERT_GE(files->size(), 4u);
  const auto done = e->export_pending();
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(confirmed_lines(), all_lines());
}

TEST_F(AuditExporterTest, AReplacedLogIsExportedFromItsStart) {
  write_records(quiet_options(log_dir()), key_, 1, 8);
  auto e = exporter();
  ASSERT_TRUE(e->export_pending());
  std::filesystem::remove_all(log_dir());
  write_records(quiet_options(log_dir()), key_, 1, 2);
  collector_.confirmed.clear();
  ASSERT_TRUE(e->export_pending());
  EXPECT_EQ(confirmed_lines(), all_lines());
  EXPECT_EQ(e->status().note,
            "the audit log ends before the exported seq 8: it was replaced, and is exported again from its start");
  EXPECT_EQ(read_text(cursor()), "{\"checkpoint\":true,\"seq\":2}\n");
}

TEST_F(AuditExporterTest, MissingEntriesStopTheExportSayingWhere) {
  write_records(quiet_options(log_dir()), key_, 1, 4);
  ASSERT_TRUE(exporter()->export_pending());
  write_records(quiet_options(log_dir()), key_, 5, 7);
  auto lines = read_lines(log_dir() / "audit.log");
  ASSERT_EQ(lines.size(), 9u);  // 1 2 3 4 cp4 5 6 7 cp7
  lines.erase(lines.begin() + 5);  // seq 5
  write_lines(log_dir() / "audit.log", lines);
  const auto failed = exporter()->export_pending();
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().message,
            "the audit log continues with seq 6 after seq 4 in " + (log_dir() / "audit.log").string() +
                ": entries are missing, or a rotation was in progress");
  EXPECT_EQ(read_text(cursor()), "{\"checkpoint\":true,\"seq\":4}\n");
}

TEST_F(AuditExporterTest, NoLogYetIsNothingToDo) {
  const auto done = exporter()->export_pending();
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(*done, 0u);
}

TEST(ExportCursor, IsRefusedWhenOthersCouldMoveIt) {
  TempDir dir;
  const auto file = dir / "c";
  ASSERT_TRUE(write_cursor(file, ExportCursor{3, false}));
  EXPECT_EQ(read_text(file), "{\"checkpoint\":false,\"seq\":3}\n");
  const auto back = read_cursor(file);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, (ExportCursor{3, false}));
  ASSERT_EQ(::chmod(file.c_str(), 0622), 0);
  const auto refused = read_cursor(file);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message, "the export cursor " + file.string() + " must be a regular file owned by uid " +
                                         std::to_string(::geteuid()) +
                                         " and writable by nobody else; fix it or remove it to export the log "
                                         "again from the start");
}

TEST(ExportCursor, DamagedFileIsRefusedAndMissingFileIsTheStart) {
  TempDir dir;
  const auto file = dir / "c";
  const auto missing = read_cursor(file);
  ASSERT_TRUE(missing);
  EXPECT_EQ(*missing, ExportCursor{});
  write_text(file, "{\"seq\":-1,\"checkpoint\":false}\n");
  ::chmod(file.c_str(), 0600);
  const auto damaged = read_cursor(file);
  ASSERT_FALSE(damaged);
  EXPECT_EQ(damaged.error().message, "the export cursor " + file.string() +
                                         " is damaged (remove it to export the log again from the start): expected "
                                         "{\"checkpoint\": true|false, \"seq\": N}");
}

TEST(ExportCursor, PositionsOrderRecordsBeforeTheirCheckpoint) {
  EXPECT_LT((ExportCursor{5, false}), (ExportCursor{5, true}));
  EXPECT_LT((ExportCursor{5, true}), (ExportCursor{6, false}));
}

}  // namespace
}  // namespace moat::core::audit::exporter
