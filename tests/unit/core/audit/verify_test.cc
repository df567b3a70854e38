#include "core/audit/verify.h"

#include <gtest/gtest.h>

#include "audit_test_support.h"
#include "core/audit/base64.h"
#include "core/audit/checkpoint.h"
#include "core/audit/checkpoint_state.h"
#include "core/audit/log_files.h"

namespace moat::core::audit {
namespace {

using namespace testing_support;

// Recomputes prev (and a checkpoint's head) from line `from` on, as a forger
// who knows the format but not the private key would.
void rechain(std::vector<std::string>& lines, std::size_t from) {
  for (std::size_t i = from; i < lines.size(); ++i) {
    Entry entry = parse_line(lines[i]).value();
    const std::string prev = sha256_hex(lines[i - 1]);
    if (auto* record = std::get_if<Record>(&entry)) record->prev = prev;
    if (auto* checkpoint = std::get_if<Checkpoint>(&entry)) {
      checkpoint->prev = prev;
      checkpoint->head = prev;
    }
    lines[i] = to_line(entry);
  }
}

void expect_problem(const VerifyReport& report, const std::string& file, std::size_t line,
                    std::uint64_t seq, ProblemKind kind, const std::string& message) {
  EXPECT_FALSE(report.ok);
  ASSERT_TRUE(report.first_problem);
  EXPECT_EQ(report.first_problem->file, file);
  EXPECT_EQ(report.first_problem->line, line);
  EXPECT_EQ(report.first_problem->seq, seq);
  EXPECT_EQ(to_string(report.first_problem->kind), to_string(kind));
  EXPECT_EQ(report.first_problem->message, message);
}

// Twelve records, a checkpoint every five, closed:
//   1 r1  2 r2  3 r3  4 r4  5 r5  6 c5  7 r6  8 r7  9 r8  10 r9  11 r10  12 c10
//   13 r11  14 r12  15 c12
class VerifyOneFile : public ::testing::Test {
 protected:
  void SetUp() override {
    auto options = quiet_options(log_dir());
    options.state_file = state_file();
    write_records(options, key_, 1, 12);
    lines_ = read_lines(log_file());
    ASSERT_EQ(lines_.size(), 15U);
  }

  std::filesystem::path log_dir() const { return dir_ / "log"; }
  std::filesystem::path log_file() const { return log_dir() / "audit.log"; }
  std::filesystem::path state_file() const { return dir_ / "audit.state"; }
  void save() { write_lines(log_file(), lines_); }

  VerifyReport run(const VerifyOptions& options = {}) {
    auto report = verify(log_dir(), key_.verify_key(), options);
    EXPECT_TRUE(report) << report.error().message;
    return report ? *report : VerifyReport{};
  }
  VerifyReport run_with_state() {
    VerifyOptions options;
    options.state_file = state_file();
    return run(options);
  }

  TempDir dir_;
  SigningKey key_ = new_key();
  std::vector<std::string> lines_;
};

TEST_F(VerifyOneFile, AnIntactLogVerifies) {
  const auto report = run_with_state();
  EXPECT_TRUE(report.ok);
  EXPECT_FALSE(report.first_problem);
  EXPECT_EQ(report.records, 12U);
  EXPECT_EQ(report.checkpoints, 3U);
  EXPECT_EQ(report.files, 1U);
  EXPECT_EQ(report.last_seq, 12U);
  EXPECT_EQ(report.unsigned_records, 0U);
}

TEST_F(VerifyOneFile, OneChangedByteInARecord) {
  const auto at = lines_[2].find("reason 3");
  ASSERT_NE(at, std::string::npos);
  lines_[2][at + 7] = '8';
  save();
  expect_problem(run(), "audit.log", 3, 3, ProblemKind::kChangedRecord,
                 "line 3 (seq 3) was changed: its hash no longer matches the prev stored in the "
                 "next line (seq 4)");
}

TEST_F(VerifyOneFile, AChangedRecordRightBeforeACheckpoint) {
  lines_[4].replace(lines_[4].find("\"outcome\":\"allow\""), 17, "\"outcome\":\"error\"");
  save();
  expect_problem(run(), "audit.log", 5, 5, ProblemKind::kChangedRecord,
                 "line 5 (seq 5) was changed: its hash no longer matches the prev stored in the "
                 "next line (seq 5)");
}

TEST_F(VerifyOneFile, AChangedPrevField) {
  Record record = std::get<Record>(parse_line(lines_[3]).value());
  record.prev[0] = record.prev[0] == 'a' ? 'b' : 'a';
  lines_[3] = to_line(record);
  save();
  expect_problem(run(), "audit.log", 4, 4, ProblemKind::kChangedRecord,
                 "line 4 (seq 4) was changed: its prev does not match the line before it, and "
                 "the line after it does not chain to it");
}

TEST_F(VerifyOneFile, AChangedRecordWithTheChainRecomputedIsCaughtByTheCheckpoint) {
  lines_[7].replace(lines_[7].find("reason 7"), 8, "reason 0");
  rechain(lines_, 8);
  save();
  expect_problem(run(), "audit.log", 12, 10, ProblemKind::kForgedCheckpoint,
                 "the checkpoint on line 12 (seq 10) does not verify with the public key: it "
                 "was forged, or altered (for instance to cover a changed record)");
}

TEST_F(VerifyOneFile, ARemovedRecord) {
  lines_.erase(lines_.begin() + 8);  // r8
  save();
  expect_problem(run(), "audit.log", 9, 8, ProblemKind::kRemovedRecord,
                 "record seq 8 is missing: line 9 (seq 9) follows seq 7");
}

TEST_F(VerifyOneFile, SeveralRemovedRecords) {
  lines_.erase(lines_.begin() + 7, lines_.begin() + 9);  // r7, r8
  save();
  expect_problem(run(), "audit.log", 8, 7, ProblemKind::kRemovedRecord,
                 "records seq 7 to 8 are missing: line 8 (seq 9) follows seq 6");
}

TEST_F(VerifyOneFile, TheFirstRecordRemoved) {
  lines_.erase(lines_.begin());
  save();
  expect_problem(run(), "audit.log", 1, 1, ProblemKind::kMissingFile,
                 "record seq 1 is missing at the start of the log (audit.log begins with seq 2): "
                 "the oldest file or its first records were removed");
}

TEST_F(VerifyOneFile, AnInsertedForgedRecordWithACorrectPrev) {
  Record forged = sample_record(99);
  forged.seq = 4;
  forged.time = parse_time("2026-08-01T10:00:00.000Z").value();
  forged.prev = sha256_hex(lines_[2]);
  lines_.insert(lines_.begin() + 3, to_line(forged));
  save();
  expect_problem(run(), "audit.log", 4, 4, ProblemKind::kInsertedRecord,
                 "line 4 (seq 4) was inserted: the next line has the same seq and chains to the "
                 "line before it");
}

TEST_F(VerifyOneFile, AnInsertedRecordThatFitsNowhere) {
  Record forged = sample_record(99);
  forged.seq = 100;
  forged.prev = std::string(kGenesisPrev);
  lines_.insert(lines_.begin() + 3, to_line(forged));
  save();
  expect_problem(run(), "audit.log", 4, 100, ProblemKind::kInsertedRecord,
                 "line 4 (seq 100) was inserted: the next line chains to the line before it");
}

TEST_F(VerifyOneFile, ARecordCopiedRightAfterItself) {
  lines_.insert(lines_.begin() + 3, lines_[2]);
  save();
  expect_problem(run(), "audit.log", 4, 3, ProblemKind::kInsertedRecord,
                 "line 4 (seq 3) was inserted: it repeats the line before it");
}

TEST_F(VerifyOneFile, AnOldRecordReplayedLater) {
  lines_.insert(lines_.begin() + 7, lines_[1]);  // r2 after r6
  save();
  expect_problem(run(), "audit.log", 8, 2, ProblemKind::kInsertedRecord,
                 "line 8 (seq 2) was inserted: the log is already at seq 6");
}

TEST_F(VerifyOneFile, TwoSwappedRecords) {
  std::swap(lines_[7], lines_[8]);  // r7, r8
  save();
  expect_problem(run(), "audit.log", 8, 8, ProblemKind::kReorderedRecords,
                 "lines 8 and 9 are swapped: line 8 has seq 8, line 9 has seq 7");
}

TEST_F(VerifyOneFile, ARecordMovedFurther) {
  const std::string r2 = lines_[1];
  lines_.erase(lines_.begin() + 1);
  lines_.insert(lines_.begin() + 3, r2);  // r1 r3 r4 r2 r5
  save();
  expect_problem(run(), "audit.log", 2, 3, ProblemKind::kReorderedRecords,
                 "records are out of order: line 2 has seq 3 where seq 2 was expected; seq 2 is "
                 "on line 4");
}

TEST_F(VerifyOneFile, ATailCutAfterACheckpointNeedsTheStateFile) {
  lines_.resize(12);  // ends with c10
  save();
  const auto alone = run();
  EXPECT_TRUE(alone.ok);  // indistinguishable from a log that ended at seq 10
  EXPECT_EQ(alone.records, 10U);
  EXPECT_EQ(alone.unsigned_records, 0U);
  expect_problem(run_with_state(), "audit.log", 13, 11, ProblemKind::kTruncatedTail,
                 "the log ends at seq 10, but the state file holds a signed checkpoint for seq "
                 "12: records seq 11 to 12 are cut from the end");
}

TEST_F(VerifyOneFile, ATailCutWithTheLastCheckpointPutBack) {
  lines_.erase(lines_.begin() + 12, lines_.begin() + 14);  // r11, r12
  save();
  expect_problem(run(), "audit.log", 13, 11, ProblemKind::kTruncatedTail,
                 "records seq 11 to 12 are missing before the log's last checkpoint (line 13, "
                 "seq 12): the tail was cut and the checkpoint put back");
}

TEST_F(VerifyOneFile, RecordsAfterTheLastCheckpointAreCountedAsUnsigned) {
  lines_.pop_back();  // the closing checkpoint
  save();
  const auto report = run();
  EXPECT_TRUE(report.ok);
  EXPECT_EQ(report.unsigned_records, 2U);
  expect_problem(run_with_state(), "audit.log", 15, 12, ProblemKind::kTruncatedTail,
                 "the log has no checkpoint for seq 12 matching the state file: the checkpoint "
                 "was removed, or the log was cut and written again");
}

TEST_F(VerifyOneFile, AForgedCheckpointSignature) {
  Checkpoint checkpoint = std::get<Checkpoint>(parse_line(lines_[11]).value());
  const auto forger = new_key();
  checkpoint.sig = base64_encode(forger.sign(checkpoint_signed_bytes(checkpoint)).value());
  lines_[11] = to_line(checkpoint);
  save();
  expect_problem(run(), "audit.log", 12, 10, ProblemKind::kForgedCheckpoint,
                 "the checkpoint on line 12 (seq 10) does not verify with the public key: it "
                 "was forged, or altered (for instance to cover a changed record)");
}

TEST_F(VerifyOneFile, AnotherPublicKeyRejectsTheFirstCheckpoint) {
  const auto report = verify(log_dir(), new_key().verify_key()).value();
  expect_problem(report, "audit.log", 6, 5, ProblemKind::kForgedCheckpoint,
                 "the checkpoint on line 6 (seq 5) does not verify with the public key: it was "
                 "forged, or altered (for instance to cover a changed record)");
}

TEST_F(VerifyOneFile, AMalformedLine) {
  lines_[4] = "{\"type\":\"record\"}";
  save();
  expect_problem(run(), "audit.log", 5, 5, ProblemKind::kMalformedLine,
                 "line 5 is not a valid audit entry: missing field \"component\"");
}

TEST_F(VerifyOneFile, AnIncompleteLastLine) {
  std::string text = read_text(log_file());
  text.pop_back();
  write_text(log_file(), text);
  expect_problem(run(), "audit.log", 15, 13, ProblemKind::kMalformedLine,
                 "line 15 has no newline at the end: a write was cut short (crash or full disk) "
                 "or the file was truncated");
}

TEST_F(VerifyOneFile, AForgedStateFile) {
  const auto forger = new_key();
  Checkpoint checkpoint = read_checkpoint_state(state_file()).value()->checkpoint;
  checkpoint.sig = base64_encode(forger.sign(checkpoint_signed_bytes(checkpoint)).value());
  write_text(state_file(), to_line(checkpoint) + "\n");
  expect_problem(run_with_state(), state_file().string(), 1, 12, ProblemKind::kForgedCheckpoint,
                 "the checkpoint in the state file (seq 12) does not verify with the public "
                 "key: it was forged or altered");
}

TEST(Verify, AnEmptyDirectoryIsAnEmptyValidLog) {
  const TempDir dir;
  const auto report = verify(dir.path(), new_key().verify_key());
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_TRUE(report->ok);
  EXPECT_EQ(report->records, 0U);
  EXPECT_EQ(report->files, 0U);
}

TEST(Verify, AMissingDirectoryIsAnError) {
  const TempDir dir;
  const auto report = verify(dir / "absent", new_key().verify_key());
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().sys_errno, ENOENT);
}

// Twenty records over several files (about four records each, a checkpoint
// every three records and at each rotation).
class VerifyRotated : public ::testing::Test {
 protected:
  void SetUp() override {
    auto options = quiet_options(dir_.path());
    options.max_file_bytes = 1500;
    options.checkpoint_every = 3;
    write_records(options, key_, 1, 20);
    files_ = list_log_files(dir_.path()).value();
    ASSERT_GE(files_.size(), 4U);
  }

  std::uint64_t first_seq(const std::filesystem::path& file) const {
    return seq_of(parse_line(read_lines(file).front()).value());
  }
  VerifyReport run() const {
    auto report = verify(dir_.path(), key_.verify_key());
    EXPECT_TRUE(report) << report.error().message;
    return report ? *report : VerifyReport{};
  }

  TempDir dir_;
  SigningKey key_ = new_key();
  std::vector<LogFile> files_;
};

TEST_F(VerifyRotated, TheChainHoldsAcrossFiles) {
  const auto report = run();
  EXPECT_TRUE(report.ok) << report.first_problem->message;
  EXPECT_EQ(report.records, 20U);
  EXPECT_EQ(report.files, files_.size());
}

TEST_F(VerifyRotated, ADeletedMiddleFile) {
  const auto seq = first_seq(dir_ / "audit.log.2");
  std::filesystem::remove(dir_ / "audit.log.2");
  expect_problem(run(), "audit.log.2", 0, seq, ProblemKind::kMissingFile,
                 "audit.log.2 is missing: the rotated files jump from audit.log.1 to "
                 "audit.log.3");
}

TEST_F(VerifyRotated, TheOldestFileDeleted) {
  std::filesystem::remove(dir_ / "audit.log.1");
  expect_problem(run(), "audit.log.1", 0, 1, ProblemKind::kMissingFile,
                 "audit.log.1 is missing: the oldest file present is audit.log.2");
}

TEST_F(VerifyRotated, TheNewestRotatedFileDeleted) {
  const LogFile& newest = files_[files_.size() - 2];
  const LogFile& before = files_[files_.size() - 3];
  const auto first_missing = first_seq(newest.path);
  const auto first_current = first_seq(dir_ / "audit.log");
  std::filesystem::remove(newest.path);
  expect_problem(run(), "audit.log", 1, first_missing, ProblemKind::kMissingFile,
                 "records seq " + std::to_string(first_missing) + " to " +
                     std::to_string(first_current - 1) + " are missing between " + before.name() +
                     " and audit.log: a rotated file or the first records of audit.log were "
                     "removed");
}

TEST_F(VerifyRotated, ARotatedFileWithItsTailCut) {
  auto lines = read_lines(dir_ / "audit.log.2");
  lines.pop_back();  // its closing checkpoint
  const auto last = seq_of(parse_line(lines.back()).value());
  write_lines(dir_ / "audit.log.2", lines);
  expect_problem(run(), "audit.log.2", lines.size() + 1, last + 1, ProblemKind::kTruncatedTail,
                 "audit.log.2 ends after seq " + std::to_string(last) +
                     " without a checkpoint, but rotation closes every file with one: its tail "
                     "was cut");
}

TEST_F(VerifyRotated, AnEmptiedRotatedFile) {
  const auto seq = first_seq(dir_ / "audit.log.2");
  write_text(dir_ / "audit.log.2", "");
  expect_problem(run(), "audit.log.2", 1, seq, ProblemKind::kTruncatedTail,
                 "audit.log.2 is empty, but rotation closes every file with a checkpoint: its "
                 "content was removed");
}

}  // namespace
}  // namespace moat::core::audit
