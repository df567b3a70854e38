// AuditLog with write-behind: appends stage their lines in audit.staging and
// a background thread writes them to audit.log. What must hold: a record
// whose append returned is never lost, whether the writer dies, the disk
// fills or the next writer does not stage; the chain and rotation are as
// without it.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "audit_test_support.h"
#include "core/audit/checkpoint_state.h"
#include "core/audit/log_files.h"
#include "core/audit/verify.h"

namespace moat::core::audit {
namespace {

using namespace testing_support;
using namespace std::chrono_literals;

AuditLogOptions staged_options(const std::filesystem::path& dir, std::chrono::milliseconds write_behind = 5ms) {
  AuditLogOptions options = quiet_options(dir);
  options.write_behind = write_behind;
  options.staging_capacity = 64 * 1024;
  return options;
}

std::uint64_t verified_records(const std::filesystem::path& dir, const SigningKey& key) {
  auto report = verify(dir, key.verify_key(), {});
  EXPECT_TRUE(report) << report.error().message;
  if (!report) return 0;
  EXPECT_TRUE(report->ok) << report->first_problem->message;
  return report->records;
}

std::size_t lines_in(const std::filesystem::path& file) { return read_lines(file).size(); }

// A writer in a child process that appends records first..last and dies
// without closing the log. The background thread writes the first record
// and then waits an hour, so the others are only staged when it dies.
void die_with_staged_records(const std::filesystem::path& dir, const SigningKey& key, int first, int last) {
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    auto log = AuditLog::open(staged_options(dir, std::chrono::hours(1)), key);
    if (!log) ::_exit(2);
    std::error_code ec;
    const auto written_before = std::filesystem::file_size(dir / "audit.log", ec);
    if (!(*log)->append(sample_record(first))) ::_exit(3);
    // Once the first line is in the file, the thread that wrote it waits.
    for (int waited = 0; waited < 1000 && std::filesystem::file_size(dir / "audit.log", ec) == written_before;
         ++waited) {
      std::this_thread::sleep_for(10ms);
    }
    for (int i = first + 1; i <= last; ++i) {
      if (!(*log)->append(sample_record(i))) ::_exit(4);
    }
    ::_exit(0);  // no close, no destructor: as a killed moatd
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
}

TEST(AuditLogWriteBehind, RefusesToSyncEveryRecord) {
  const TempDir dir;
  auto options = staged_options(dir.path());
  options.fsync = FsyncPolicy::kEveryRecord;
  const auto log = AuditLog::open(options, new_key());
  ASSERT_FALSE(log);
  EXPECT_EQ(log.error().code, AuditErrc::kInvalidArgument);
  EXPECT_EQ(log.error().message, "write-behind cannot sync every record; choose one or the other");
}

TEST(AuditLogWriteBehind, StagedLinesReachTheLogOnFlushAndSoonWithout) {
  const TempDir dir;
  const auto key = new_key();
  auto log = AuditLog::open(staged_options(dir.path()), key);
  ASSERT_TRUE(log) << log.error().message;
  ASSERT_TRUE((*log)->append(sample_record(1)));
  ASSERT_TRUE((*log)->flush());
  EXPECT_EQ(lines_in(dir / "audit.log"), 1U);
  for (int i = 2; i <= 4; ++i) ASSERT_TRUE((*log)->append(sample_record(i)));
  // The background thread writes them within milliseconds; a second is plenty.
  for (int waited = 0; waited < 100 && lines_in(dir / "audit.log") < 4; ++waited) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(lines_in(dir / "audit.log"), 4U);
  ASSERT_TRUE((*log)->close());
  EXPECT_EQ(verified_records(dir.path(), key), 4U);
  EXPECT_TRUE(std::filesystem::exists(dir / "audit.staging"));
}

TEST(AuditLogWriteBehind, EnoughStagedBytesWakeTheWriterBeforeItsIntervalHasPassed) {
  const TempDir dir;
  const auto key = new_key();
  auto options = staged_options(dir.path(), std::chrono::hours(1));
  options.write_behind_bytes = 4096;
  auto log = AuditLog::open(options, key);
  ASSERT_TRUE(log) << log.error().message;
  // Idle, the thread writes the first record at once, and then gathers for
  // an hour or 4096 bytes.
  ASSERT_TRUE((*log)->append(sample_record(1)));
  for (int waited = 0; waited < 1000 && lines_in(dir / "audit.log") == 0; ++waited) std::this_thread::sleep_for(10ms);
  ASSERT_EQ(lines_in(dir / "audit.log"), 1U);
  ASSERT_TRUE((*log)->append(sample_record(2)));
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(lines_in(dir / "audit.log"), 1U);  // one line is not enough
  for (int i = 3; i <= 40; ++i) ASSERT_TRUE((*log)->append(sample_record(i)));
  std::error_code ec;
  for (int waited = 0; waited < 1000 && std::filesystem::file_size(dir / "audit.log", ec) < 4096; ++waited) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_GE(std::filesystem::file_size(dir / "audit.log", ec), 4096U);
  ASSERT_TRUE((*log)->close());
  EXPECT_EQ(verified_records(dir.path(), key), 40U);
}

TEST(AuditLogWriteBehind, AWriterThatDiesLeavesItsStagedRecordsToTheNext) {
  const TempDir dir;
  const auto key = new_key();
  die_with_staged_records(dir.path(), key, 1, 6);
  EXPECT_EQ(lines_in(dir / "audit.log"), 1U);  // the rest only staged

  auto log = AuditLog::open(staged_options(dir.path()), key);
  ASSERT_TRUE(log) << log.error().message;
  EXPECT_EQ((*log)->last_seq(), 6U);
  EXPECT_EQ(lines_in(dir / "audit.log"), 7U);  // six records and the checkpoint after five
  EXPECT_GT((*log)->recovered_bytes(), 0U);
  EXPECT_EQ(*(*log)->append(sample_record(7)), 7U);
  ASSERT_TRUE((*log)->close());
  EXPECT_EQ(verified_records(dir.path(), key), 7U);
}

// An upgrade that stages more at a time: the old staging file's records go
// to the log first, then a file of the new size takes its place.
TEST(AuditLogWriteBehind, AStagingFileOfAnotherSizeIsReplacedOnceWhatItHeldIsInTheLog) {
  const TempDir dir;
  const auto key = new_key();
  die_with_staged_records(dir.path(), key, 1, 3);  // with a 64 KiB staging file
  ASSERT_EQ(std::filesystem::file_size(dir / "audit.staging"), kStagingHeaderBytes + 64 * 1024);

  auto options = staged_options(dir.path());
  options.staging_capacity = 128 * 1024;
  auto log = AuditLog::open(options, key);
  ASSERT_TRUE(log) << log.error().message;
  EXPECT_EQ((*log)->last_seq(), 3U);
  EXPECT_GT((*log)->recovered_bytes(), 0U);
  EXPECT_EQ(std::filesystem::file_size(dir / "audit.staging"), kStagingHeaderBytes + 128 * 1024);
  EXPECT_FALSE(std::filesystem::exists(dir / "audit.staging.new"));
  ASSERT_TRUE((*log)->append(sample_record(4)));
  ASSERT_TRUE((*log)->close());
  EXPECT_EQ(verified_records(dir.path(), key), 4U);

  // And the new file serves the next writer as it is.
  auto again = AuditLog::open(options, key);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ((*again)->recovered_bytes(), 0U);
  ASSERT_TRUE((*again)->append(sample_record(5)));
  ASSERT_TRUE((*again)->close());
  EXPECT_EQ(verified_records(dir.path(), key), 5U);
}

TEST(AuditLogWriteBehind, VerifySaysWhatIsStagedAndNotYetInTheLog) {
  const TempDir dir;
  const auto key = new_key();
  die_with_staged_records(dir.path(), key, 1, 3);
  const auto staged = verify(dir.path(), key.verify_key(), {});
  ASSERT_TRUE(staged) << staged.error().message;
  EXPECT_TRUE(staged->ok);
  EXPECT_EQ(staged->records, 1U);
  EXPECT_GT(staged->staged_bytes, 0U);
  EXPECT_FALSE(staged->staging_problem);

  std::string ring = read_text(dir / "audit.staging");
  ring[0] = 'X';
  write_text(dir / "audit.staging", ring);
  const auto broken = verify(dir.path(), key.verify_key(), {});
  ASSERT_TRUE(broken) << broken.error().message;
  ASSERT_TRUE(broken->staging_problem);
  EXPECT_EQ(*broken->staging_problem,
            "staging file " + (dir / "audit.staging").string() +
                " does not start as a staging file does; the records it holds cannot be trusted. Move it aside (the "
                "log then lacks what only it held, which verify shows) and start again");
}

TEST(AuditLogWriteBehind, AWriterWithoutWriteBehindWritesWhatWasStagedAndRemovesTheStagingFile) {
  const TempDir dir;
  const auto key = new_key();
  die_with_staged_records(dir.path(), key, 1, 3);
  auto log = AuditLog::open(quiet_options(dir.path()), key);
  ASSERT_TRUE(log) << log.error().message;
  EXPECT_EQ((*log)->last_seq(), 3U);
  EXPECT_FALSE(std::filesystem::exists(dir / "audit.staging"));
  ASSERT_TRUE((*log)->close());
  EXPECT_EQ(verified_records(dir.path(), key), 3U);
}

TEST(AuditLogWriteBehind, AWriteCutShortIsCompletedOnce) {
  const TempDir dir;
  const auto key = new_key();
  die_with_staged_records(dir.path(), key, 1, 3);
  {
    auto log = AuditLog::open(staged_options(dir.path()), key);  // writes records 2 and 3
    ASSERT_TRUE(log) << log.error().message;
    ASSERT_TRUE((*log)->close());  // and the closing checkpoint, through the staging file too
  }
  // As if the write of the checkpoint had stopped 20 bytes short.
  const auto size = std::filesystem::file_size(dir / "audit.log");
  std::filesystem::resize_file(dir / "audit.log", size - 20);
  auto log = AuditLog::open(staged_options(dir.path()), key);
  ASSERT_TRUE(log) << log.error().message;
  EXPECT_EQ(std::filesystem::file_size(dir / "audit.log"), size);
  EXPECT_EQ((*log)->last_seq(), 3U);
  ASSERT_TRUE((*log)->close());
  EXPECT_EQ(verified_records(dir.path(), key), 3U);
}

TEST(AuditLogWriteBehind, StagedBytesThatDoNotContinueTheChainAreTakenBackOut) {
  const TempDir dir;
  const auto key = new_key();
  die_with_staged_records(dir.path(), key, 1, 3);
  const auto size = std::filesystem::file_size(dir / "audit.log");
  // Change one staged byte: record 2's line in the ring no longer matches
  // what record 3's prev says.
  std::string ring = read_text(dir / "audit.staging");
  const auto at = ring.find("#2\"");
  ASSERT_NE(at, std::string::npos);
  ring[at + 1] = '9';
  write_text(dir / "audit.staging", ring);

  const auto log = AuditLog::open(staged_options(dir.path()), key);
  ASSERT_FALSE(log);
  EXPECT_EQ(log.error().code, AuditErrc::kTailDoesNotVerify);
  EXPECT_NE(log.error().message.find(" bytes that " + (dir / "audit.staging").string() +
                                     " held for it added at its end (taken off again): "),
            std::string::npos)
      << log.error().message;
  EXPECT_EQ(std::filesystem::file_size(dir / "audit.log"), size);
  EXPECT_TRUE(std::filesystem::exists(dir / "audit.staging"));
}

TEST(AuditLogWriteBehind, AFullDiskKeepsStagedRecordsAndRefusesLaterAppendsUntilThereIsRoom) {
  const TempDir dir;
  const auto key = new_key();
  auto options = staged_options(dir.path(), std::chrono::hours(1));
  std::vector<AuditError> reported;
  std::mutex reported_mutex;
  options.on_deferred_error = [&](const AuditError& error) {
    const std::lock_guard lock(reported_mutex);
    reported.push_back(error);
  };
  auto log = AuditLog::open(options, key);
  ASSERT_TRUE(log) << log.error().message;
  ASSERT_TRUE((*log)->append(sample_record(1)));
  // Once the background thread has written it, it waits an hour: the writes
  // below are this test's own, and nothing else writes while it reads.
  for (int waited = 0; waited < 1000 && lines_in(dir / "audit.log") == 0; ++waited) std::this_thread::sleep_for(10ms);
  ASSERT_EQ(lines_in(dir / "audit.log"), 1U);
  FileSizeLimit limit(std::filesystem::file_size(dir / "audit.log") + 10);
  ASSERT_TRUE(limit.ok());
  ASSERT_TRUE((*log)->append(sample_record(2)));  // staged: the disk is not asked
  const auto flushed = (*log)->flush();
  ASSERT_FALSE(flushed);
  EXPECT_EQ(flushed.error().sys_errno, EFBIG);
  const auto refused = (*log)->append(sample_record(3));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().sys_errno, EFBIG);
  EXPECT_TRUE(refused.error().message.starts_with("record seq 3 was not written: writing the lines staged before "
                                                  "(they wait in " +
                                                  (dir / "audit.staging").string() + "): writing "))
      << refused.error().message;
  EXPECT_EQ(lines_in(dir / "audit.log"), 1U);  // record 2 was not cut in half

  limit.lift();
  EXPECT_EQ(*(*log)->append(sample_record(3)), 3U);
  ASSERT_TRUE((*log)->close());
  EXPECT_EQ(verified_records(dir.path(), key), 3U);
}

// A reader of the files takes a log that lacks the checkpoint the state
// file names for cut, so that checkpoint is written out before the state
// file names it.
TEST(AuditLogWriteBehind, TheStateFileNamesOnlyACheckpointInTheLog) {
  const TempDir dir;
  const TempDir state_dir;
  const auto key = new_key();
  auto options = staged_options(dir.path(), std::chrono::hours(1));
  options.checkpoint_every = 2;
  options.state_file = state_dir / "moatd.checkpoint";
  auto log = AuditLog::open(options, key);
  ASSERT_TRUE(log) << log.error().message;
  for (int i = 1; i <= 2; ++i) ASSERT_TRUE((*log)->append(sample_record(i)));
  const auto state = read_checkpoint_state(state_dir / "moatd.checkpoint");
  ASSERT_TRUE(state && *state);
  EXPECT_EQ((*state)->checkpoint.seq, 2U);
  const auto lines = read_lines(dir / "audit.log");
  ASSERT_EQ(lines.size(), 3U);
  EXPECT_EQ(sha256_hex(lines[2]), (*state)->line_hash);
  ASSERT_TRUE((*log)->close());
}

TEST(AuditLogWriteBehind, WithoutRoomForTheStagingFileEachAppendWritesTheLog) {
  const TempDir dir;
  const auto key = new_key();
  auto options = staged_options(dir.path());
  std::vector<std::string> reported;
  options.on_deferred_error = [&](const AuditError& error) { reported.push_back(error.message); };
  FileSizeLimit limit(4000);  // less than the staging file would take
  ASSERT_TRUE(limit.ok());
  auto log = AuditLog::open(options, key);
  ASSERT_TRUE(log) << log.error().message;
  ASSERT_EQ(reported.size(), 1U);
  EXPECT_EQ(reported[0], "write-behind is off, so each record is written to audit.log at once: reserving " +
                             std::to_string(kStagingHeaderBytes + 64 * 1024) + " bytes for " +
                             (dir / "audit.staging").string() + ": File too large");
  EXPECT_FALSE(std::filesystem::exists(dir / "audit.staging"));
  EXPECT_FALSE(std::filesystem::exists(dir / "audit.staging.new"));
  ASSERT_TRUE((*log)->append(sample_record(1)));
  EXPECT_EQ(lines_in(dir / "audit.log"), 1U);  // at once, no flush
  limit.lift();
  ASSERT_TRUE((*log)->close());
  EXPECT_EQ(verified_records(dir.path(), key), 1U);
}

TEST(AuditLogWriteBehind, WithoutRoomForALargerStagingFileTheOldOneServes) {
  const TempDir dir;
  const auto key = new_key();
  {
    auto log = AuditLog::open(staged_options(dir.path()), key);  // 64 KiB
    ASSERT_TRUE(log) << log.error().message;
    ASSERT_TRUE((*log)->append(sample_record(1)));
    ASSERT_TRUE((*log)->close());
  }
  auto options = staged_options(dir.path());
  options.staging_capacity = 128 * 1024;
  std::vector<std::string> reported;
  options.on_deferred_error = [&](const AuditError& error) { reported.push_back(error.message); };
  FileSizeLimit limit(100 * 1024);  // room for the old file, not for the new one
  ASSERT_TRUE(limit.ok());
  auto log = AuditLog::open(options, key);
  ASSERT_TRUE(log) << log.error().message;
  ASSERT_EQ(reported.size(), 1U);
  EXPECT_EQ(reported[0], "the staging file keeps its 65536 bytes: reserving " +
                             std::to_string(kStagingHeaderBytes + 128 * 1024) + " bytes for " +
                             (dir / "audit.staging").string() + ": File too large");
  EXPECT_EQ(std::filesystem::file_size(dir / "audit.staging"), kStagingHeaderBytes + 64 * 1024);
  EXPECT_FALSE(std::filesystem::exists(dir / "audit.staging.new"));
  ASSERT_TRUE((*log)->append(sample_record(2)));
  limit.lift();
  ASSERT_TRUE((*log)->close());
  EXPECT_EQ(verified_records(dir.path(), key), 2U);
}

TEST(AuditLogWriteBehind, RotationKeepsTheChainAcrossFiles) {
  const TempDir dir;
  const auto key = new_key();
  auto options = staged_options(dir.path());
  options.max_file_bytes = 2000;
  auto log = AuditLog::open(options, key);
  ASSERT_TRUE(log) << log.error().message;
  for (int i = 1; i <= 40; ++i) ASSERT_TRUE((*log)->append(sample_record(i)));
  ASSERT_TRUE((*log)->close());
  const auto files = list_log_files(dir.path());
  ASSERT_TRUE(files);
  EXPECT_GT(files->size(), 3U);
  EXPECT_EQ(verified_records(dir.path(), key), 40U);
  // And a writer that dies after a rotation leaves its new file's records.
  die_with_staged_records(dir.path(), key, 41, 60);
  auto reopened = AuditLog::open(options, key);
  ASSERT_TRUE(reopened) << reopened.error().message;
  ASSERT_TRUE((*reopened)->close());
  EXPECT_EQ(verified_records(dir.path(), key), 60U);
}

TEST(AuditLogWriteBehind, ABatchLargerThanTheRingIsWrittenAsItIs) {
  const TempDir dir;
  const auto key = new_key();
  auto options = staged_options(dir.path());
  options.staging_capacity = 4096;
  options.checkpoint_every = 0;
  auto log = AuditLog::open(options, key);
  ASSERT_TRUE(log) << log.error().message;
  std::vector<Record> batch;
  for (int i = 1; i <= 30; ++i) batch.push_back(sample_record(i));
  const auto result = (*log)->append_batch(batch);
  ASSERT_FALSE(result.error) << result.error->message;
  EXPECT_EQ(result.written, 30U);
  EXPECT_EQ(lines_in(dir / "audit.log"), 30U);
  EXPECT_EQ(*(*log)->append(sample_record(31)), 31U);
  ASSERT_TRUE((*log)->close());
  EXPECT_EQ(verified_records(dir.path(), key), 31U);
}

}  // namespace
}  // namespace moat::core::audit
