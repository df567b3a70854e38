#include "core/audit/chain_tail.h"

#include <gtest/gtest.h>

#include "audit_test_support.h"

namespace moat::core::audit {
namespace {

using namespace testing_support;

TEST(ChainTail, AnEmptyDirectoryStartsAtTheGenesis) {
  const TempDir dir;
  const auto key = new_key();
  const auto tail = read_chain_tail(dir.path(), key.verify_key());
  ASSERT_TRUE(tail) << tail.error().message;
  EXPECT_EQ(tail->last_seq, 0U);
  EXPECT_EQ(tail->last_hash, kGenesisPrev);
  EXPECT_EQ(tail->records_since_checkpoint, 0U);
  EXPECT_EQ(tail->next_rotation_index, 1U);
  EXPECT_FALSE(tail->current_exists);
}

TEST(ChainTail, ContinuesAfterTheLastLine) {
  const TempDir dir;
  const auto key = new_key();
  auto options = quiet_options(dir.path());
  options.checkpoint_every = 4;
  {
    auto log = AuditLog::open(options, key);
    ASSERT_TRUE(log) << log.error().message;
    for (int i = 1; i <= 6; ++i) ASSERT_TRUE((*log)->append(sample_record(i)));
    // Left without a closing checkpoint, as after a crash.
    auto lines = read_lines(dir / "audit.log");
    ASSERT_EQ(lines.size(), 7U);  // r1..r4, checkpoint, r5, r6
    const auto tail = read_chain_tail(dir.path(), key.verify_key());
    ASSERT_TRUE(tail) << tail.error().message;
    EXPECT_EQ(tail->last_seq, 6U);
    EXPECT_EQ(tail->last_hash, sha256_hex(lines.back()));
    EXPECT_EQ(tail->records_since_checkpoint, 2U);
    ASSERT_TRUE(tail->last_checkpoint);
    EXPECT_EQ(tail->last_checkpoint->seq, 4U);
    EXPECT_EQ(tail->last_checkpoint_hash, sha256_hex(lines[4]));
    EXPECT_TRUE(tail->current_exists);
  }
}

TEST(ChainTail, FindsACheckpointOutsideTheFirstWindow) {
  const TempDir dir;
  const auto key = new_key();
  auto options = quiet_options(dir.path());
  options.checkpoint_every = 1000;  // one checkpoint, then ~400 KiB of records
  {
    auto log = AuditLog::open(options, key);
    ASSERT_TRUE(log);
    ASSERT_TRUE((*log)->append(sample_record(1)));
    ASSERT_TRUE((*log)->checkpoint());
    Record big = sample_record(2);
    big.reason = std::string(4000, 'r');
    for (int i = 0; i < 100; ++i) ASSERT_TRUE((*log)->append(big));
    const auto tail = read_chain_tail(dir.path(), key.verify_key());
    ASSERT_TRUE(tail) << tail.error().message;
    EXPECT_EQ(tail->last_seq, 101U);
    EXPECT_EQ(tail->records_since_checkpoint, 100U);
    EXPECT_EQ(tail->last_checkpoint->seq, 1U);
  }
}

TEST(ChainTail, RefusesAnIncompleteLastLine) {
  const TempDir dir;
  const auto key = new_key();
  write_records(quiet_options(dir.path()), key, 1, 3);
  const std::string text = read_text(dir / "audit.log");
  write_text(dir / "audit.log", text + "{\"seq\":");
  const auto tail = read_chain_tail(dir.path(), key.verify_key());
  ASSERT_FALSE(tail);
  EXPECT_EQ(tail.error().code, AuditErrc::kTailDoesNotVerify);
  EXPECT_EQ(tail.error().message,
            "cannot continue the audit log in " + dir.path().string() + ": audit.log at byte " +
                std::to_string(text.size() + 7) +
                ": the last line is incomplete (a write was cut short by a crash or a full "
                "disk); run verify to locate the damage, then move the directory aside to "
                "start a new log");
}

TEST(ChainTail, RefusesATailSignedWithAnotherKey) {
  const TempDir dir;
  write_records(quiet_options(dir.path()), new_key(), 1, 3);
  const auto tail = read_chain_tail(dir.path(), new_key().verify_key());
  ASSERT_FALSE(tail);
  EXPECT_EQ(tail.error().code, AuditErrc::kTailDoesNotVerify);
  const auto lines = read_lines(dir / "audit.log");
  const std::size_t offset = lines[0].size() + lines[1].size() + lines[2].size() + 3;
  EXPECT_EQ(tail.error().message,
            "cannot continue the audit log in " + dir.path().string() + ": audit.log at byte " +
                std::to_string(offset) +
                ": the checkpoint for seq 3 does not verify with this key (it was forged, or "
                "another key signed it); run verify to locate the damage, then move the "
                "directory aside to start a new log");
}

TEST(ChainTail, RefusesABrokenChainAfterTheLastCheckpoint) {
  const TempDir dir;
  const auto key = new_key();
  auto options = quiet_options(dir.path());
  options.checkpoint_every = 2;
  {
    auto log = AuditLog::open(options, key);
    ASSERT_TRUE(log);
    for (int i = 1; i <= 4; ++i) ASSERT_TRUE((*log)->append(sample_record(i)));
    ASSERT_TRUE((*log)->append(sample_record(5)));
    ASSERT_TRUE((*log)->append(sample_record(6)));
  }
  // Lines: r1 r2 c2 r3 r4 c4 r5 r6 c6. Drop r5.
  auto lines = read_lines(dir / "audit.log");
  ASSERT_EQ(lines.size(), 9U);
  lines.erase(lines.begin() + 6);
  lines.pop_back();  // and the closing checkpoint, so r6 is the tail
  write_lines(dir / "audit.log", lines);
  const auto tail = read_chain_tail(dir.path(), key.verify_key());
  ASSERT_FALSE(tail);
  EXPECT_NE(
      tail.error().message.find(": prev does not match the hash of the line before it; run verify"),
      std::string::npos)
      << tail.error().message;
}

}  // namespace
}  // namespace moat::core::audit
