#include "core/audit/log_files.h"

#include <gtest/gtest.h>

#include "audit_test_support.h"

namespace moat::core::audit {
namespace {

using testing_support::TempDir;
using testing_support::write_text;

TEST(LogFiles, RotatedNamesCarryAPlainNumber) {
  EXPECT_EQ(rotated_index("audit.log.1"), 1U);
  EXPECT_EQ(rotated_index("audit.log.42"), 42U);
  EXPECT_EQ(rotated_index("audit.log"), std::nullopt);
  EXPECT_EQ(rotated_index("audit.log.0"), std::nullopt);
  EXPECT_EQ(rotated_index("audit.log.01"), std::nullopt);
  EXPECT_EQ(rotated_index("audit.log.1.gz"), std::nullopt);
  EXPECT_EQ(rotated_index("audit.log."), std::nullopt);
  EXPECT_EQ(rotated_index("xaudit.log.1"), std::nullopt);
  EXPECT_EQ(rotated_name(3), "audit.log.3");
}

TEST(LogFiles, ListsOldestFirstWithTheCurrentFileLast) {
  const TempDir dir;
  for (const char* name : {"audit.log", "audit.log.10", "audit.log.2", "audit.log.1", "audit.state",
                           "audit.log.tmp", "notes"}) {
    write_text(dir / name, "");
  }
  const auto files = list_log_files(dir.path());
  ASSERT_TRUE(files) << files.error().message;
  std::vector<std::string> names;
  for (const auto& file : *files) names.push_back(file.name());
  EXPECT_EQ(names,
            (std::vector<std::string>{"audit.log.1", "audit.log.2", "audit.log.10", "audit.log"}));
  EXPECT_EQ(files->back().index, 0U);
  EXPECT_EQ(files->front().index, 1U);
}

TEST(LogFiles, ListingAMissingDirectoryIsAnError) {
  const TempDir dir;
  const auto files = list_log_files(dir / "absent");
  ASSERT_FALSE(files);
  EXPECT_EQ(files.error().sys_errno, ENOENT);
}

TEST(LogFiles, SplitsLinesAndNoticesAnIncompleteLastLine) {
  const auto whole = split_lines("a\nbb\n");
  EXPECT_EQ(whole.lines, (std::vector<std::string_view>{"a", "bb"}));
  EXPECT_TRUE(whole.ends_with_newline);
  const auto cut = split_lines("a\nbb");
  EXPECT_EQ(cut.lines, (std::vector<std::string_view>{"a", "bb"}));
  EXPECT_FALSE(cut.ends_with_newline);
  EXPECT_TRUE(split_lines("").lines.empty());
  EXPECT_EQ(split_lines("\n\n").lines, (std::vector<std::string_view>{"", ""}));
}

TEST(LogFiles, ReadsTailsAndRefusesHugeFiles) {
  const TempDir dir;
  write_text(dir / "f", "0123456789");
  const auto tail = read_file_tail(dir / "f", 4);
  ASSERT_TRUE(tail) << tail.error().message;
  EXPECT_EQ(tail->bytes, "6789");
  EXPECT_EQ(tail->offset, 6U);
  EXPECT_EQ(tail->size, 10U);
  const auto whole = read_file(dir / "f", 10);
  ASSERT_TRUE(whole);
  EXPECT_EQ(*whole, "0123456789");
  const auto refused = read_file(dir / "f", 9);
  ASSERT_FALSE(refused);
  EXPECT_EQ(
      refused.error().message,
      (dir / "f").string() +
          " is 10 bytes, more than the 9 this reader holds in memory; rotate the log by size");
}

}  // namespace
}  // namespace moat::core::audit
