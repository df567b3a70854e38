#include "core/audit/staging_ring.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cstring>
#include <string>

#include <gtest/gtest.h>

#include "audit_test_support.h"

namespace moat::core::audit {
namespace {

using testing_support::TempDir;

constexpr std::uint64_t kCapacity = 8192;

struct Ring {
  TempDir dir;
  UniqueFd dir_fd{::open(dir.str().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  StagingRing ring = open();

  StagingRing open() {
    auto opened = StagingRing::open(dir_fd.get(), dir.path(), kCapacity, 0600);
    if (!opened) throw std::runtime_error(opened.error().message);
    return std::move(*opened);
  }
  Result<MissingBytes, AuditError> missing(const std::optional<CurrentLogFile>& log) const {
    return missing_bytes(ring.file_bytes(), log, ring.path());
  }
  std::string header_copy() const { return std::string(ring.file_bytes()); }
};

std::string joined(const MissingBytes& bytes) { return std::string(bytes.pieces[0]) + std::string(bytes.pieces[1]); }

const FileIdentity kLog{7, 42};

TEST(StagingRing, ANewRingIsReservedOwnedAndHoldsNothing) {
  Ring r;
  struct stat info {};
  ASSERT_EQ(::stat((r.dir / "audit.staging").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 07777U, 0600U);
  EXPECT_EQ(static_cast<std::uint64_t>(info.st_size), kStagingHeaderBytes + kCapacity);
  EXPECT_FALSE(std::filesystem::exists(r.dir / "audit.staging.new"));
  EXPECT_EQ(r.ring.capacity(), kCapacity);
  EXPECT_EQ(r.ring.pending(), 0U);
  const auto none = r.missing(CurrentLogFile{kLog, 100});
  ASSERT_TRUE(none) << none.error().message;
  EXPECT_EQ(none->size(), 0U);
}

TEST(StagingRing, WhatTheLogLacksFollowsFromItsSizeHoweverFarAWriterGot) {
  Ring r;
  r.ring.bind({kLog, 100});  // a log that had 100 bytes before the ring
  ASSERT_TRUE(r.ring.stage("one\n"));
  ASSERT_TRUE(r.ring.stage("two\n"));
  EXPECT_EQ(r.ring.pending(), 8U);
  EXPECT_EQ(joined(r.ring.pending_bytes()), "one\ntwo\n");

  EXPECT_EQ(joined(r.missing(CurrentLogFile{kLog, 100}).value()), "one\ntwo\n");
  // A writer that died in the middle of a line: the rest of it, once.
  EXPECT_EQ(joined(r.missing(CurrentLogFile{kLog, 102}).value()), "e\ntwo\n");
  EXPECT_EQ(r.missing(CurrentLogFile{kLog, 108}).value().size(), 0U);
  r.ring.mark_written(4);
  EXPECT_EQ(joined(r.ring.pending_bytes()), "two\n");
  // The written mark lags the file, never leads it: the size decides.
  EXPECT_EQ(joined(r.missing(CurrentLogFile{kLog, 100}).value()), "one\ntwo\n");
}

TEST(StagingRing, BytesWrapRoundTheRingAndRefuseWhatDoesNotFit) {
  Ring r;
  r.ring.bind({kLog, 0});
  const std::string line(kCapacity / 2 - 1, 'a');
  ASSERT_TRUE(r.ring.stage(line + "\n"));
  ASSERT_TRUE(r.ring.stage(line + "\n"));
  EXPECT_FALSE(r.ring.stage("x\n"));  // full: nothing staged
  EXPECT_EQ(r.ring.pending(), kCapacity);
  r.ring.mark_written(kCapacity / 2);
  const std::string wrapping = "wraps round\n";
  ASSERT_TRUE(r.ring.stage(wrapping));
  const MissingBytes pending = r.ring.pending_bytes();
  EXPECT_EQ(pending.pieces[1], wrapping);
  EXPECT_EQ(joined(pending), line + "\n" + wrapping);
  const auto missing = r.missing(CurrentLogFile{kLog, kCapacity / 2});
  ASSERT_TRUE(missing) << missing.error().message;
  EXPECT_EQ(joined(*missing), line + "\n" + wrapping);
}

TEST(StagingRing, ReopeningKeepsWhatWasStaged) {
  Ring r;
  r.ring.bind({kLog, 0});
  ASSERT_TRUE(r.ring.stage("kept\n"));
  StagingRing again = r.open();  // a second mapping of the same file, as the next writer has
  EXPECT_EQ(again.pending(), 5U);
  EXPECT_EQ(joined(missing_bytes(again.file_bytes(), CurrentLogFile{kLog, 0}, again.path()).value()), "kept\n");
}

TEST(StagingRing, AnotherFileIsFineOnlyWhenNothingIsPending) {
  Ring r;
  r.ring.bind({kLog, 0});
  const FileIdentity other{7, 43};
  EXPECT_EQ(r.missing(CurrentLogFile{other, 0}).value().size(), 0U);
  EXPECT_EQ(r.missing(std::nullopt).value().size(), 0U);
  ASSERT_TRUE(r.ring.stage("staged\n"));
  const auto moved = r.missing(CurrentLogFile{other, 0});
  ASSERT_FALSE(moved);
  EXPECT_EQ(moved.error().message, "staging file " + (r.dir / "audit.staging").string() +
                                       " holds 7 bytes not yet written to a file that is no longer audit.log; "
                                       "move the staging file aside to start without them (verify shows the gap)");
  EXPECT_FALSE(r.missing(std::nullopt));
}

TEST(StagingRing, ALogThatDoesNotAddUpIsRefused) {
  Ring r;
  r.ring.bind({kLog, 10});
  ASSERT_TRUE(r.ring.stage("line\n"));
  const auto longer = r.missing(CurrentLogFile{kLog, 16});
  ASSERT_FALSE(longer);
  EXPECT_EQ(longer.error().code, AuditErrc::kTailDoesNotVerify);
  EXPECT_EQ(longer.error().message, "audit.log holds 1 bytes more than staging file " +
                                        (r.dir / "audit.staging").string() +
                                        " staged for it; something else wrote to the log");
  // Cut by more than the ring ever held.
  const auto cut = r.missing(CurrentLogFile{kLog, 0});
  ASSERT_FALSE(cut);
  EXPECT_EQ(cut.error().message, "audit.log lacks 15 bytes, more than staging file " +
                                     (r.dir / "audit.staging").string() + " holds: the log was cut");
}

TEST(StagingRing, StagedBytesThatAreNotLinesAreRefused) {
  Ring r;
  r.ring.bind({kLog, 0});
  ASSERT_TRUE(r.ring.stage("no newline"));
  const auto unended = r.missing(CurrentLogFile{kLog, 0});
  ASSERT_FALSE(unended);
  EXPECT_NE(unended.error().message.find("holds bytes for audit.log that do not end a line"), std::string::npos);
  ASSERT_TRUE(r.ring.stage(std::string("\0\n", 2)));
  const auto nul = r.missing(CurrentLogFile{kLog, 0});
  ASSERT_FALSE(nul);
  EXPECT_NE(nul.error().message.find("holds NUL bytes for audit.log"), std::string::npos);
}

TEST(StagingRing, AHeaderThatDoesNotAddUpIsRefused) {
  Ring r;
  std::string bytes = r.header_copy();
  const auto refused = [&](const std::string& file) {
    const auto missing = missing_bytes(file, CurrentLogFile{kLog, 0}, r.ring.path());
    return missing ? std::string() : missing.error().message;
  };
  EXPECT_NE(refused(bytes.substr(0, 100)).find("is shorter than its header"), std::string::npos);
  std::string no_magic = bytes;
  no_magic[0] = 'X';
  EXPECT_NE(refused(no_magic).find("does not start as a staging file does; the records it holds cannot be trusted. "
                                   "Move it aside"),
            std::string::npos);
  EXPECT_NE(refused(bytes + "more").find("says it holds 8192 bytes but has room for 8196"), std::string::npos);
  std::string overrun = bytes;
  const std::uint64_t staged = 2 * kCapacity;
  std::memcpy(overrun.data() + 16, &staged, sizeof(staged));  // staged, with nothing written
  EXPECT_NE(refused(overrun).find("counts more bytes unwritten than it holds"), std::string::npos);
}

TEST(StagingRing, ABindTornByACrashReadsAsNoFileBound) {
  Ring r;
  r.ring.bind({kLog, 0});
  std::string torn = r.header_copy();
  torn[40] = static_cast<char>(torn[40] ^ 1);  // the inode changed, its sum not yet
  const auto missing = missing_bytes(torn, CurrentLogFile{kLog, 0}, r.ring.path());
  ASSERT_TRUE(missing) << missing.error().message;
  EXPECT_EQ(missing->size(), 0U);
}

TEST(StagingRing, AnExistingFileThatIsNoRingIsRefused) {
  const TempDir dir;
  testing_support::write_text(dir / "audit.staging", std::string(5000, 'x'));
  const UniqueFd dir_fd(::open(dir.str().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  const auto opened = StagingRing::open(dir_fd.get(), dir.path(), kCapacity, 0600);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, AuditErrc::kTailDoesNotVerify);
  EXPECT_NE(opened.error().message.find("does not start as a staging file does"), std::string::npos);
}

TEST(StagingRing, ACapacityThatIsNotWholePagesIsRefused) {
  const TempDir dir;
  const UniqueFd dir_fd(::open(dir.str().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  const auto opened = StagingRing::open(dir_fd.get(), dir.path(), 100, 0600);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().message, "a staging file's capacity must be a positive multiple of 4096");
  EXPECT_FALSE(std::filesystem::exists(dir / "audit.staging"));
}

}  // namespace
}  // namespace moat::core::audit
