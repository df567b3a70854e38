#include "core/audit/checkpoint_state.h"

#include <gtest/gtest.h>

#include "audit_test_support.h"
#include "core/audit/checkpoint.h"
#include "core/audit/hash_chain.h"

namespace moat::core::audit {
namespace {

using testing_support::read_text;
using testing_support::TempDir;
using testing_support::write_text;

TEST(CheckpointState, WritesTheLineAndReadsItBack) {
  const TempDir dir;
  const auto key = SigningKey::generate().value();
  const auto checkpoint = make_checkpoint(key, 9, Timestamp{}, sha256_hex("x"), 3).value();
  const std::string line = to_line(checkpoint);
  ASSERT_TRUE(write_checkpoint_state(dir / "audit.state", line));
  EXPECT_EQ(read_text(dir / "audit.state"), line + "\n");
  EXPECT_FALSE(std::filesystem::exists(dir / "audit.state.tmp"));

  const auto state = read_checkpoint_state(dir / "audit.state");
  ASSERT_TRUE(state) << state.error().message;
  ASSERT_TRUE(state->has_value());
  EXPECT_EQ((*state)->checkpoint, checkpoint);
  EXPECT_EQ((*state)->line_hash, sha256_hex(line));
}

TEST(CheckpointState, ReplacesTheOldState) {
  const TempDir dir;
  const auto key = SigningKey::generate().value();
  ASSERT_TRUE(write_checkpoint_state(
      dir / "s", to_line(make_checkpoint(key, 1, Timestamp{}, sha256_hex("a"), 1).value())));
  const auto second = make_checkpoint(key, 2, Timestamp{}, sha256_hex("b"), 1).value();
  ASSERT_TRUE(write_checkpoint_state(dir / "s", to_line(second)));
  EXPECT_EQ(read_checkpoint_state(dir / "s").value()->checkpoint, second);
}

TEST(CheckpointState, AMissingFileIsNoState) {
  const TempDir dir;
  const auto state = read_checkpoint_state(dir / "absent");
  ASSERT_TRUE(state) << state.error().message;
  EXPECT_FALSE(state->has_value());
}

TEST(CheckpointState, RefusesAnythingButOneCheckpointLine) {
  const TempDir dir;
  write_text(dir / "s", "garbage\n");
  auto state = read_checkpoint_state(dir / "s");
  ASSERT_FALSE(state);
  EXPECT_EQ(state.error().code, AuditErrc::kMalformedLine);
  EXPECT_EQ(state.error().message.substr(0, 17 + (dir / "s").string().size()),
            "checkpoint state " + (dir / "s").string());

  write_text(dir / "s", "a\nb\n");
  state = read_checkpoint_state(dir / "s");
  ASSERT_FALSE(state);
  EXPECT_EQ(state.error().message,
            "checkpoint state " + (dir / "s").string() + " must hold exactly one line");

  Record record;
  record.seq = 1;
  record.prev = std::string(kGenesisPrev);
  write_text(dir / "s", to_line(record) + "\n");
  state = read_checkpoint_state(dir / "s");
  ASSERT_FALSE(state);
  EXPECT_EQ(state.error().message,
            "checkpoint state " + (dir / "s").string() + " holds a record, not a checkpoint");
}

}  // namespace
}  // namespace moat::core::audit
