#include "core/audit/audit_log.h"

#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <set>
#include <thread>

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "audit_test_support.h"
#include "core/audit/checkpoint.h"
#include "core/audit/hash_chain.h"
#include "core/audit/log_files.h"
#include "core/audit/verify.h"

namespace moat::core::audit {
namespace {

using namespace testing_support;

std::vector<Entry> entries_of(const std::filesystem::path& file) {
  std::vector<Entry> entries;
  for (const auto& line : read_lines(file)) {
    auto entry = parse_line(line);
    EXPECT_TRUE(entry) << line;
    if (entry) entries.push_back(std::move(*entry));
  }
  return entries;
}

VerifyReport verified(const std::filesystem::path& dir, const SigningKey& key,
                      const VerifyOptions& options = {}) {
  auto report = verify(dir, key.verify_key(), options);
  EXPECT_TRUE(report) << report.error().message;
  if (!report) return {};
  EXPECT_TRUE(report->ok) << report->first_problem->message;
  return *report;
}

TEST(AuditLog, FirstRecordHasSeqOneAndTheZeroPrev) {
  const TempDir dir;
  const auto key = new_key();
  FakeClock clock;
  auto options = quiet_options(dir.path());
  options.clock = clock.function();
  auto log = AuditLog::open(options, key);
  ASSERT_TRUE(log) << log.error().message;
  const auto seq = (*log)->append(sample_record(1));
  ASSERT_TRUE(seq) << seq.error().message;
  EXPECT_EQ(*seq, 1U);
  EXPECT_EQ((*log)->last_seq(), 1U);

  const auto lines = read_lines(dir / "audit.log");
  ASSERT_EQ(lines.size(), 1U);
  Record expected = sample_record(1);
  expected.seq = 1;
  expected.prev = std::string(kGenesisPrev);
  expected.time = to_timestamp(clock.now());
  EXPECT_EQ(lines[0], to_line(expected));
}

TEST(AuditLog, ChainsEveryLineToTheOneBefore) {
  const TempDir dir;
  const auto key = new_key();
  write_records(quiet_options(dir.path()), key, 1, 7);
  const auto lines = read_lines(dir / "audit.log");
  // r1..r5, checkpoint (every 5), r6, r7, closing checkpoint
  ASSERT_EQ(lines.size(), 9U);
  std::string prev(kGenesisPrev);
  for (const auto& line : lines) {
    const auto entry = parse_line(line).value();
    EXPECT_EQ(prev_of(entry), prev);
    prev = sha256_hex(line);
  }
  const auto entries = entries_of(dir / "audit.log");
  const auto& fifth = std::get<Checkpoint>(entries[5]);
  EXPECT_EQ(fifth.seq, 5U);
  EXPECT_EQ(fifth.count, 5U);
  EXPECT_EQ(fifth.head, sha256_hex(lines[4]));
  EXPECT_TRUE(checkpoint_signature_ok(fifth, key.verify_key()));
  const auto& closing = std::get<Checkpoint>(entries[8]);
  EXPECT_EQ(closing.seq, 7U);
  EXPECT_EQ(closing.count, 2U);
  const auto report = verified(dir.path(), key);
  EXPECT_EQ(report.records, 7U);
  EXPECT_EQ(report.checkpoints, 2U);
  EXPECT_EQ(report.unsigned_records, 0U);
}

TEST(AuditLog, SeqContinuesAfterReopen) {
  const TempDir dir;
  const auto key = new_key();
  write_records(quiet_options(dir.path()), key, 1, 3);
  auto log = AuditLog::open(quiet_options(dir.path()), key);
  ASSERT_TRUE(log) << log.error().message;
  EXPECT_EQ((*log)->last_seq(), 3U);
  const auto seq = (*log)->append(sample_record(4));
  ASSERT_TRUE(seq) << seq.error().message;
  EXPECT_EQ(*seq, 4U);
  ASSERT_TRUE((*log)->close());
  const auto report = verified(dir.path(), key);
  EXPECT_EQ(report.records, 4U);
  EXPECT_EQ(report.last_seq, 4U);
}

TEST(AuditLog, ContinuesAfterACrashWithoutClosingCheckpoint) {
  const TempDir dir;
  const auto key = new_key();
  write_records(quiet_options(dir.path()), key, 1, 3);
  auto lines = read_lines(dir / "audit.log");
  lines.pop_back();  // as if the process died before close()
  write_lines(dir / "audit.log", lines);
  write_records(quiet_options(dir.path()), key, 4, 4);
  const auto entries = entries_of(dir / "audit.log");
  ASSERT_EQ(entries.size(), 5U);
  EXPECT_EQ(std::get<Checkpoint>(entries[4]).count, 4U);
  EXPECT_EQ(verified(dir.path(), key).records, 4U);
}

TEST(AuditLog, RotationKeepsTheChainAcrossFiles) {
  const TempDir dir;
  const auto key = new_key();
  auto options = quiet_options(dir.path());
  options.max_file_bytes = 1500;  // about four records a file
  options.checkpoint_every = 3;
  write_records(options, key, 1, 20);
  const auto files = list_log_files(dir.path()).value();
  ASSERT_GE(files.size(), 4U);
  for (std::size_t k = 0; k + 1 < files.size(); ++k) {
    EXPECT_EQ(files[k].index, k + 1);
    // Each rotated file ends with a checkpoint; the next file chains to it.
    const auto lines = read_lines(files[k].path);
    EXPECT_TRUE(is_checkpoint(parse_line(lines.back()).value())) << files[k].name();
    const auto next_first = read_lines(files[k + 1].path).front();
    EXPECT_EQ(prev_of(parse_line(next_first).value()), sha256_hex(lines.back()));
    EXPECT_LE(std::filesystem::file_size(files[k].path), 1500U + 400U);
  }
  const auto report = verified(dir.path(), key);
  EXPECT_EQ(report.records, 20U);
  EXPECT_EQ(report.files, files.size());

  // Reopening continues the newest file and the numbering.
  write_records(options, key, 21, 30);
  const auto more = list_log_files(dir.path()).value();
  EXPECT_GT(more.size(), files.size());
  EXPECT_EQ(verified(dir.path(), key).records, 30U);
}

TEST(AuditLog, CheckpointsAfterQuietTime) {
  const TempDir dir;
  const auto key = new_key();
  FakeClock clock;
  auto options = quiet_options(dir.path());
  options.checkpoint_every = 0;
  options.checkpoint_interval = std::chrono::seconds(10);
  options.clock = clock.function();
  auto log = AuditLog::open(options, key);
  ASSERT_TRUE(log);
  ASSERT_TRUE((*log)->append(sample_record(1)));
  clock.advance(std::chrono::seconds(9));
  ASSERT_TRUE((*log)->append(sample_record(2)));
  EXPECT_EQ(read_lines(dir / "audit.log").size(), 2U);
  clock.advance(std::chrono::seconds(2));
  ASSERT_TRUE((*log)->append(sample_record(3)));
  const auto entries = entries_of(dir / "audit.log");
  ASSERT_EQ(entries.size(), 4U);
  EXPECT_EQ(std::get<Checkpoint>(entries[3]).count, 3U);
  EXPECT_EQ(format_time(std::get<Checkpoint>(entries[3]).time), "2026-08-01T10:00:11.000Z");
}

// Under load the count comes round quickly; a minimum gap keeps checkpoints
// (signature, sync, state file) to one per gap, and the count still decides
// once the gap has passed.
TEST(AuditLog, CheckpointsByCountWaitForTheMinimumGap) {
  const TempDir dir;
  const auto key = new_key();
  FakeClock clock;
  auto options = quiet_options(dir.path());
  options.checkpoint_every = 3;
  options.checkpoint_min_gap = std::chrono::seconds(1);
  options.clock = clock.function();
  auto log = AuditLog::open(options, key);
  ASSERT_TRUE(log);
  for (int i = 1; i <= 7; ++i) ASSERT_TRUE((*log)->append(sample_record(i)));
  EXPECT_EQ(read_lines(dir / "audit.log").size(), 7U);
  clock.advance(std::chrono::milliseconds(999));
  ASSERT_TRUE((*log)->append(sample_record(8)));
  EXPECT_EQ(read_lines(dir / "audit.log").size(), 8U);
  clock.advance(std::chrono::milliseconds(1));
  ASSERT_TRUE((*log)->append(sample_record(9)));
  auto entries = entries_of(dir / "audit.log");
  ASSERT_EQ(entries.size(), 10U);
  EXPECT_EQ(std::get<Checkpoint>(entries[9]).count, 9U);
  // The next gap starts at that checkpoint: two more records reach the count
  // again but wait for it.
  for (int i = 10; i <= 12; ++i) ASSERT_TRUE((*log)->append(sample_record(i)));
  EXPECT_EQ(read_lines(dir / "audit.log").size(), 13U);
  clock.advance(std::chrono::seconds(1));
  ASSERT_TRUE((*log)->append(sample_record(13)));
  entries = entries_of(dir / "audit.log");
  ASSERT_EQ(entries.size(), 15U);
  EXPECT_EQ(std::get<Checkpoint>(entries[14]).count, 4U);
  EXPECT_EQ(verified(dir.path(), key).records, 13U);
}

TEST(AuditLog, TheBackgroundThreadSignsRecordsThatWaitTooLong) {
  const TempDir dir;
  const auto key = new_key();
  auto options = quiet_options(dir.path());
  options.checkpoint_every = 0;
  options.checkpoint_interval = std::chrono::milliseconds(40);
  auto log = AuditLog::open(options, key);
  ASSERT_TRUE(log);
  ASSERT_TRUE((*log)->append(sample_record(1)));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (read_lines(dir / "audit.log").size() < 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const auto entries = entries_of(dir / "audit.log");
  ASSERT_EQ(entries.size(), 2U);
  EXPECT_EQ(std::get<Checkpoint>(entries[1]).seq, 1U);
  EXPECT_FALSE((*log)->take_deferred_error());
}

TEST(AuditLog, CloseWritesNoSecondCheckpointAndLaterAppendsFail) {
  const TempDir dir;
  const auto key = new_key();
  auto log = AuditLog::open(quiet_options(dir.path()), key);
  ASSERT_TRUE(log);
  for (int i = 1; i <= 5; ++i) ASSERT_TRUE((*log)->append(sample_record(i)));
  ASSERT_TRUE((*log)->close());
  ASSERT_TRUE((*log)->close());
  EXPECT_EQ(read_lines(dir / "audit.log").size(), 6U);  // r1..r5 and one checkpoint
  const auto refused = (*log)->append(sample_record(6));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, AuditErrc::kClosed);
  EXPECT_EQ(refused.error().message, "the audit log in " + dir.path().string() + " is closed");
}

TEST(AuditLog, ASecondWriterIsRefused) {
  const TempDir dir;
  const auto key = new_key();
  auto first = AuditLog::open(quiet_options(dir.path()), key);
  ASSERT_TRUE(first);
  const auto second = AuditLog::open(quiet_options(dir.path()), key);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, AuditErrc::kLocked);
  EXPECT_EQ(second.error().message, "another process is writing the audit log in " +
                                        dir.path().string() +
                                        "; give each writer its own directory");
  ASSERT_TRUE((*first)->close());
  EXPECT_TRUE(AuditLog::open(quiet_options(dir.path()), key));
}

TEST(AuditLog, CreatesItsDirectoryPrivately) {
  const TempDir dir;
  const auto key = new_key();
  auto log = AuditLog::open(quiet_options(dir / "audit"), key);
  ASSERT_TRUE(log) << log.error().message;
  EXPECT_EQ(std::filesystem::status(dir / "audit").permissions(),
            std::filesystem::perms::owner_all);
  EXPECT_EQ(std::filesystem::status(dir / "audit" / "audit.log").permissions(),
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

TEST(AuditLog, RefusesADirectoryOthersCanWrite) {
  const TempDir dir;
  std::filesystem::create_directory(dir / "shared");
  std::filesystem::permissions(dir / "shared", std::filesystem::perms::all);
  const auto log = AuditLog::open(quiet_options(dir / "shared"), new_key());
  ASSERT_FALSE(log);
  EXPECT_EQ(log.error().code, AuditErrc::kInvalidArgument);
  const std::string name = (dir / "shared").string();
  EXPECT_EQ(log.error().message, "audit directory " + name +
                                     " is writable by group or others (mode 0777); run chmod "
                                     "go-w " +
                                     name);
  EXPECT_FALSE(std::filesystem::exists(dir / "shared" / "audit.log"));
}

TEST(AuditLog, RefusesToContinueATamperedTail) {
  const TempDir dir;
  const auto key = new_key();
  write_records(quiet_options(dir.path()), key, 1, 3);
  auto lines = read_lines(dir / "audit.log");
  lines[2].replace(lines[2].find("reason 3"), 8, "reason 9");
  write_lines(dir / "audit.log", lines);
  const auto log = AuditLog::open(quiet_options(dir.path()), key);
  ASSERT_FALSE(log);
  EXPECT_EQ(log.error().code, AuditErrc::kTailDoesNotVerify);
  const std::size_t checkpoint_offset = lines[0].size() + lines[1].size() + lines[2].size() + 3;
  EXPECT_EQ(log.error().message,
            "cannot continue the audit log in " + dir.path().string() + ": audit.log at byte " +
                std::to_string(checkpoint_offset) +
                ": prev does not match the hash of the line before it; run verify to locate the "
                "damage, then move the directory aside to start a new log");
}

TEST(AuditLog, RefusesToFollowASymlinkPlantedAsTheLog) {
  const TempDir dir;
  std::filesystem::create_symlink("/dev/full", dir / "audit.log");
  const auto log = AuditLog::open(quiet_options(dir.path()), new_key());
  ASSERT_FALSE(log);
  EXPECT_EQ(log.error().sys_errno, ELOOP);
  EXPECT_EQ(log.error().message,
            "opening " + (dir / "audit.log").string() + ": Too many levels of symbolic links");
}

TEST(AuditLog, AWriteFailureIsReturnedAndTheRecordCanBeRetried) {
  const TempDir dir;
  const auto key = new_key();
  auto log = AuditLog::open(quiet_options(dir.path()), key);
  ASSERT_TRUE(log);
  ASSERT_TRUE((*log)->append(sample_record(1)));
  ASSERT_TRUE((*log)->append(sample_record(2)));
  const auto size_before = std::filesystem::file_size(dir / "audit.log");

  FileSizeLimit limit(size_before + 10);  // the next record only partly fits
  ASSERT_TRUE(limit.ok());
  Record third = sample_record(3);
  third.caller.reset();
  third.container.reset();
  const auto failed = (*log)->append(third);
  limit.lift();

  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, AuditErrc::kIo);
  EXPECT_EQ(failed.error().sys_errno, EFBIG);
  EXPECT_EQ(failed.error().message.substr(0, 29), "record seq 3 was not written:");
  EXPECT_NE(
      failed.error().message.find(" bytes to " + (dir / "audit.log").string() + ": File too large"),
      std::string::npos)
      << failed.error().message;
  EXPECT_EQ(std::filesystem::file_size(dir / "audit.log"), size_before);
  EXPECT_EQ((*log)->last_seq(), 2U);

  const auto retried = (*log)->append(third);
  ASSERT_TRUE(retried) << retried.error().message;
  EXPECT_EQ(*retried, 3U);
  ASSERT_TRUE((*log)->close());
  EXPECT_EQ(verified(dir.path(), key).records, 3U);
}

std::vector<Record> sample_batch(int first, int last) {
  std::vector<Record> records;
  for (int i = first; i <= last; ++i) records.push_back(sample_record(i));
  return records;
}

TEST(AuditLog, ABatchChainsItsRecordsAsSingleAppendsWould) {
  const TempDir dir;
  const auto key = new_key();
  auto options = quiet_options(dir.path());
  options.checkpoint_every = 0;
  auto log = AuditLog::open(options, key);
  ASSERT_TRUE(log);
  ASSERT_TRUE((*log)->append(sample_record(1)));
  auto batch = sample_batch(2, 5);
  const auto result = (*log)->append_batch(batch);
  EXPECT_FALSE(result.error);
  EXPECT_EQ(result.written, 4U);
  EXPECT_EQ(batch[0].seq, 2U);
  EXPECT_EQ(batch[3].seq, 5U);
  EXPECT_EQ((*log)->last_seq(), 5U);
  const auto lines = read_lines(dir / "audit.log");
  ASSERT_EQ(lines.size(), 5U);
  for (std::size_t i = 1; i < lines.size(); ++i) {
    EXPECT_EQ(prev_of(parse_line(lines[i]).value()), sha256_hex(lines[i - 1])) << "line " << i;
  }
  // The chain is in the lines only: the caller's records keep their prev.
  EXPECT_EQ(batch[1].prev, "");
  ASSERT_TRUE((*log)->close());
  EXPECT_EQ(verified(dir.path(), key).records, 5U);
}

TEST(AuditLog, ACheckpointTheCountAsksForComesAfterTheBatch) {
  const TempDir dir;
  const auto key = new_key();
  auto options = quiet_options(dir.path());
  options.checkpoint_every = 3;
  auto log = AuditLog::open(options, key);
  ASSERT_TRUE(log);
  auto batch = sample_batch(1, 5);
  ASSERT_EQ((*log)->append_batch(batch).written, 5U);
  const auto entries = entries_of(dir / "audit.log");
  ASSERT_EQ(entries.size(), 6U);
  EXPECT_EQ(std::get<Checkpoint>(entries[5]).seq, 5U);
  EXPECT_EQ(std::get<Checkpoint>(entries[5]).count, 5U);
  EXPECT_EQ(verified(dir.path(), key).records, 5U);
}

// A batch is one write: when it does not fit, none of its records is in the
// file, the log's seq and chain stay where they were, and the same records
// can be written again.
TEST(AuditLog, ABatchThatCannotBeWrittenLeavesNoneOfItsRecords) {
  const TempDir dir;
  const auto key = new_key();
  auto log = AuditLog::open(quiet_options(dir.path()), key);
  ASSERT_TRUE(log);
  auto first = sample_batch(1, 2);
  ASSERT_EQ((*log)->append_batch(first).written, 2U);
  const auto size_before = std::filesystem::file_size(dir / "audit.log");

  FileSizeLimit limit(size_before + 500);  // room for one record, not three
  ASSERT_TRUE(limit.ok());
  auto batch = sample_batch(3, 5);
  const auto failed = (*log)->append_batch(batch);
  limit.lift();

  EXPECT_EQ(failed.written, 0U);
  ASSERT_TRUE(failed.error);
  EXPECT_EQ(failed.error->sys_errno, EFBIG);
  EXPECT_EQ(failed.error->message.substr(0, 46), "record seq 3 and the 2 after it were not writt");
  EXPECT_EQ(std::filesystem::file_size(dir / "audit.log"), size_before);
  EXPECT_EQ((*log)->last_seq(), 2U);

  const auto retried = (*log)->append_batch(batch);
  EXPECT_FALSE(retried.error);
  EXPECT_EQ(retried.written, 3U);
  ASSERT_TRUE((*log)->close());
  EXPECT_EQ(verified(dir.path(), key).records, 5U);
}

TEST(AuditLog, ABatchRotatesBetweenItsRecordsAtTheSizeLimit) {
  const TempDir dir;
  const auto key = new_key();
  auto options = quiet_options(dir.path());
  options.checkpoint_every = 0;
  const auto line_bytes = to_line(sample_record(1)).size() + 1;
  options.max_file_bytes = 3 * line_bytes + line_bytes / 2;
  auto log = AuditLog::open(options, key);
  ASSERT_TRUE(log);
  auto batch = sample_batch(1, 8);
  const auto result = (*log)->append_batch(batch);
  EXPECT_FALSE(result.error);
  EXPECT_EQ(result.written, 8U);
  ASSERT_TRUE((*log)->close());
  for (const auto& file : std::filesystem::directory_iterator(dir.path())) {
    EXPECT_LE(file.file_size(), options.max_file_bytes + 400) << file.path();  // a checkpoint may follow
  }
  EXPECT_TRUE(std::filesystem::exists(dir / rotated_name(1)));
  EXPECT_TRUE(std::filesystem::exists(dir / rotated_name(2)));
  EXPECT_EQ(verified(dir.path(), key).records, 8U);
}

TEST(AuditLog, AnUnwritableDirectoryIsReported) {
  const TempDir dir;
  std::filesystem::create_directory(dir / "locked");
  std::filesystem::permissions(
      dir / "locked", std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);
  std::filesystem::permissions(dir.path(), std::filesystem::perms::others_exec,
                               std::filesystem::perm_options::add);
  ASSERT_EQ(::chown((dir / "locked").c_str(), 65534, 65534), 0);
  const std::string expected = "creating " + (dir / "locked" / "audit.log").string() + ": Permission denied";
  // Root ignores directory permissions, so the writer runs as nobody in a child.
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) ::_exit(2);
    const auto log = AuditLog::open(quiet_options(dir / "locked"), new_key());
    if (log) ::_exit(3);
    if (log.error().sys_errno == EACCES && log.error().message == expected) ::_exit(0);
    std::fprintf(stderr, "got: %s\n", log.error().message.c_str());
    ::_exit(1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "expected: " << expected;
}

TEST(AuditLog, RefusesARecordTooLargeForOneLine) {
  const TempDir dir;
  auto log = AuditLog::open(quiet_options(dir.path()), new_key());
  ASSERT_TRUE(log);
  Record huge = sample_record(1);
  huge.request = std::string(kMaxLineBytes, 'x');
  const auto refused = (*log)->append(huge);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, AuditErrc::kRecordTooLarge);
  Record as_written = huge;
  as_written.seq = 1;
  as_written.prev = std::string(kGenesisPrev);
  EXPECT_EQ(refused.error().message,
            "record seq 1 would be " + std::to_string(to_line(as_written).size()) +
                " bytes, more than the 65536 an audit line may hold; shorten its request or "
                "reason");
  EXPECT_EQ((*log)->last_seq(), 0U);
  EXPECT_EQ(*(*log)->append(sample_record(1)), 1U);
}

// Lines are built in the batch's buffer; a line too large for the log is
// taken back out, and the records before it still go to the file.
TEST(AuditLog, ABatchWritesTheRecordsBeforeOneTooLargeForALine) {
  const TempDir dir;
  const auto key = new_key();
  auto log = AuditLog::open(quiet_options(dir.path()), key);
  ASSERT_TRUE(log);
  auto batch = sample_batch(1, 4);
  batch[2].request = std::string(kMaxLineBytes, 'x');
  const auto result = (*log)->append_batch(batch);
  ASSERT_TRUE(result.error);
  EXPECT_EQ(result.error->code, AuditErrc::kRecordTooLarge);
  EXPECT_EQ(result.written, 2U);
  EXPECT_EQ((*log)->last_seq(), 2U);
  EXPECT_EQ(*(*log)->append(sample_record(3)), 3U);
  ASSERT_TRUE((*log)->close());
  EXPECT_EQ(verified(dir.path(), key).records, 3U);
}

TEST(AuditLog, ConcurrentAppendsKeepOneValidChain) {
  const TempDir dir;
  const auto key = new_key();
  auto options = quiet_options(dir.path());
  options.checkpoint_every = 50;
  options.max_file_bytes = 32 * 1024;
  auto log = AuditLog::open(options, key);
  ASSERT_TRUE(log);
  constexpr int kThreads = 4;
  constexpr int kPerThread = 200;
  std::vector<std::vector<std::uint64_t>> seqs(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto seq = (*log)->append(sample_record(t * kPerThread + i));
        if (seq) seqs[static_cast<std::size_t>(t)].push_back(*seq);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  ASSERT_TRUE((*log)->close());
  std::set<std::uint64_t> all;
  for (const auto& list : seqs) {
    EXPECT_EQ(list.size(), static_cast<std::size_t>(kPerThread));
    EXPECT_TRUE(std::is_sorted(list.begin(), list.end()));
    all.insert(list.begin(), list.end());
  }
  EXPECT_EQ(all.size(), static_cast<std::size_t>(kThreads * kPerThread));
  EXPECT_EQ(*all.begin(), 1U);
  EXPECT_EQ(*all.rbegin(), static_cast<std::uint64_t>(kThreads * kPerThread));
  const auto report = verified(dir.path(), key);
  EXPECT_EQ(report.records, static_cast<std::uint64_t>(kThreads * kPerThread));
  EXPECT_GT(report.files, 2U);
}

TEST(AuditLog, KeepsTheNewestCheckpointInTheStateFile) {
  const TempDir dir;
  const auto key = new_key();
  auto options = quiet_options(dir / "log");
  options.state_file = dir / "audit.state";
  write_records(options, key, 1, 7);
  const auto lines = read_lines(dir / "log" / "audit.log");
  EXPECT_EQ(read_text(dir / "audit.state"), lines.back() + "\n");
}

TEST(AuditLog, RefusesALogCutBeforeTheStateFilesCheckpoint) {
  const TempDir dir;
  const auto key = new_key();
  auto options = quiet_options(dir / "log");
  options.state_file = dir / "audit.state";
  write_records(options, key, 1, 8);
  auto lines = read_lines(dir / "log" / "audit.log");  // r1..r5 c5 r6..r8 c8
  lines.resize(6);
  write_lines(dir / "log" / "audit.log", lines);
  const auto log = AuditLog::open(options, key);
  ASSERT_FALSE(log);
  EXPECT_EQ(log.error().code, AuditErrc::kTailDoesNotVerify);
  EXPECT_EQ(log.error().message,
            "the log ends at seq 5, but state file " + (dir / "audit.state").string() +
                " holds a signed checkpoint for seq 8: the log was cut; run verify, then move "
                "the directory and the state file aside to start a new log");
}

TEST(AuditLog, ReportsAFailedStateUpdateWithoutFailingTheRecord) {
  const TempDir dir;
  const auto key = new_key();
  auto options = quiet_options(dir / "log");
  options.state_file = dir / "missing-dir" / "audit.state";
  std::vector<AuditError> reported;
  options.on_deferred_error = [&](const AuditError& error) { reported.push_back(error); };
  auto log = AuditLog::open(options, key);
  ASSERT_TRUE(log) << log.error().message;
  for (int i = 1; i <= 5; ++i) ASSERT_TRUE((*log)->append(sample_record(i)));
  ASSERT_EQ(reported.size(), 1U);
  EXPECT_EQ(reported[0].message, "updating the checkpoint state after seq 5: creating " +
                                     (dir / "missing-dir" / "audit.state.tmp").string() +
                                     ": No such file or directory");
}

// moatd's policy: the disk sync after a checkpoint and the state update
// come from the background thread, so appends never wait for the disk; the
// state still follows the log, and a closed log verifies.
TEST(AuditLog, CheckpointSyncsAndStateUpdatesHappenInTheBackground) {
  const TempDir dir;
  const auto key = new_key();
  auto options = quiet_options(dir / "log");
  options.fsync = FsyncPolicy::kCheckpoints;
  options.checkpoint_every = 3;
  options.checkpoint_interval = std::chrono::seconds(60);
  options.state_file = dir / "audit.state";
  std::vector<AuditError> reported;
  options.on_deferred_error = [&](const AuditError& error) { reported.push_back(error); };
  {
    auto log = AuditLog::open(options, key);
    ASSERT_TRUE(log) << log.error().message;
    for (int i = 1; i <= 7; ++i) ASSERT_TRUE((*log)->append(sample_record(i)));
    // Checkpoints after seq 3 and 6; the state catches up with the newest.
    std::string state;
    for (int i = 0; i < 200; ++i) {
      std::ifstream in(dir / "audit.state");
      state.assign(std::istreambuf_iterator<char>(in), {});
      if (state.find("\"seq\":6") != std::string::npos) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_NE(state.find("\"seq\":6,\"sig\""), std::string::npos) << state;
  }
  EXPECT_TRUE(reported.empty());
  const auto lines = read_lines(dir / "log" / "audit.log");
  ASSERT_EQ(lines.size(), 10U);  // 7 records, checkpoints after 3, 6 and at close
  // Reopening checks the log against the state: it must not be behind.
  auto reopened = AuditLog::open(options, key);
  ASSERT_TRUE(reopened) << reopened.error().message;
  EXPECT_EQ((*reopened)->last_seq(), 7U);
}

}  // namespace
}  // namespace moat::core::audit
