#include "core/trust/file_record.h"

#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "trust_test_support.h"

namespace moat::core::trust {
namespace {

using testing_support::TempDir;
using testing_support::write_text;

// SHA-256("hello\n")
constexpr const char* kHelloSha = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03";
// SHA-256("iello\n"): "hello\n" with its first byte flipped
constexpr const char* kFlippedSha = "a272663cfa53513ba86ba810d7e3d774f3275cf129954d03d37be025f95cd469";

TEST(FileRecord, RecordsContentOwnerGroupAndMode) {
  const TempDir dir;
  write_text(dir / "f", "hello\n", 0750);
  const auto record = observe_file("moatd", dir / "f");
  ASSERT_TRUE(record) << record.error().line();
  EXPECT_EQ(*record, (FileRecord{"moatd", dir / "f", kHelloSha, ::geteuid(), ::getegid(), 0750}));
  EXPECT_EQ(sha256_hex("hello\n"), kHelloSha);
}

TEST(FileRecord, AMatchingFileHasNoDifference) {
  const TempDir dir;
  write_text(dir / "f", "hello\n", 0755);
  const auto record = observe_file("moatd", dir / "f");
  ASSERT_TRUE(record);
  EXPECT_EQ(compare_file(*record, dir / "f"), std::vector<Difference>{});
}

TEST(FileRecord, AFlippedByteIsAContentChangeWithBothDigests) {
  const TempDir dir;
  write_text(dir / "f", "hello\n", 0755);
  const auto record = observe_file("moatd", dir / "f");
  ASSERT_TRUE(record);
  testing_support::flip_byte(dir / "f", 0);
  EXPECT_EQ(compare_file(*record, dir / "f"),
            (std::vector<Difference>{
                {dir / "f", std::string("content changed (sha256 ") + kFlippedSha + " expected " + kHelloSha + ")"}}));
}

TEST(FileRecord, AChangedModeIsNamedInOctal) {
  const TempDir dir;
  write_text(dir / "f", "hello\n", 0755);
  const auto record = observe_file("moatd", dir / "f");
  ASSERT_TRUE(record);
  ASSERT_EQ(::chmod((dir / "f").c_str(), 0777), 0);
  EXPECT_EQ(compare_file(*record, dir / "f"), (std::vector<Difference>{{dir / "f", "mode 0777, expected 0755"}}));
}

TEST(FileRecord, AChangedOwnerAndGroupAreNamed) {
  ASSERT_EQ(::geteuid(), 0U) << "the unit tests run as root (they chown files)";
  const TempDir dir;
  write_text(dir / "f", "hello\n", 0755);
  ASSERT_EQ(::chown((dir / "f").c_str(), 0, 0), 0);
  const auto record = observe_file("moatd", dir / "f");
  ASSERT_TRUE(record);
  ASSERT_EQ(::chown((dir / "f").c_str(), 65534, 65534), 0);  // nobody:nogroup
  EXPECT_EQ(compare_file(*record, dir / "f"),
            (std::vector<Difference>{{dir / "f", "owner uid 65534, expected 0"},
                                     {dir / "f", "group gid 65534, expected 0"}}));
}

TEST(FileRecord, AMissingFileIsMissing) {
  const TempDir dir;
  write_text(dir / "f", "hello\n", 0755);
  const auto record = observe_file("moatd", dir / "f");
  ASSERT_TRUE(record);
  ASSERT_EQ(::unlink((dir / "f").c_str()), 0);
  EXPECT_EQ(compare_file(*record, dir / "f"), (std::vector<Difference>{{dir / "f", "missing"}}));
}

TEST(FileRecord, ADirectoryInItsPlaceIsNotARegularFile) {
  const TempDir dir;
  write_text(dir / "f", "hello\n", 0755);
  const auto record = observe_file("moatd", dir / "f");
  ASSERT_TRUE(record);
  ASSERT_EQ(::unlink((dir / "f").c_str()), 0);
  ASSERT_EQ(::mkdir((dir / "f").c_str(), 0755), 0);
  EXPECT_EQ(compare_file(*record, dir / "f"), (std::vector<Difference>{{dir / "f", "not a regular file"}}));
}

TEST(FileRecord, ModesKeepSetIdBits) {
  EXPECT_EQ(mode_text(04755), "4755");
  EXPECT_EQ(mode_text(0644), "0644");
  EXPECT_EQ(mode_text(0100755), "0755");
}

}  // namespace
}  // namespace moat::core::trust
