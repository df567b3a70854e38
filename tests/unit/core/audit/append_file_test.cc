#include "core/audit/append_file.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>

#include <gtest/gtest.h>

#include "audit_test_support.h"

namespace moat::core::audit {
namespace {

using testing_support::read_text;
using testing_support::TempDir;

UniqueFd open_dir(const std::filesystem::path& path) {
  return UniqueFd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
}

TEST(AppendFile, AppendsAndCountsBytes) {
  const TempDir dir;
  const UniqueFd dir_fd = open_dir(dir.path());
  auto file = AppendFile::open(dir_fd.get(), "f", dir / "f", 0600, true);
  ASSERT_TRUE(file) << file.error().message;
  ASSERT_TRUE(file->append("one\n"));
  ASSERT_TRUE(file->append("two\n"));
  ASSERT_TRUE(file->sync());
  EXPECT_EQ(file->size(), 8U);
  EXPECT_EQ(read_text(dir / "f"), "one\ntwo\n");
}

TEST(AppendFile, CreateNewRefusesAnExistingFileAndAppliesTheMode) {
  const TempDir dir;
  const UniqueFd dir_fd = open_dir(dir.path());
  const mode_t old_umask = ::umask(077);
  auto created = AppendFile::open(dir_fd.get(), "f", dir / "f", 0640, true);
  ::umask(old_umask);
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_EQ(std::filesystem::status(dir / "f").permissions(),
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
                std::filesystem::perms::group_read);
  const auto again = AppendFile::open(dir_fd.get(), "f", dir / "f", 0600, true);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().sys_errno, EEXIST);
  EXPECT_EQ(again.error().message, "creating " + (dir / "f").string() + ": File exists");
}

TEST(AppendFile, RefusesToFollowASymlink) {
  const TempDir dir;
  std::filesystem::create_symlink("/dev/null", dir / "f");
  const UniqueFd dir_fd = open_dir(dir.path());
  const auto opened = AppendFile::open(dir_fd.get(), "f", dir / "f", 0600, false);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().sys_errno, ELOOP);
}

TEST(AppendFile, AFullDeviceIsReportedNotSwallowed) {
  UniqueFd full(::open("/dev/full", O_WRONLY | O_CLOEXEC));
  ASSERT_TRUE(full.valid()) << "/dev/full is not available";
  AppendFile file = AppendFile::adopt(std::move(full), "/dev/full", 0);
  const auto written = file.append("{\"seq\":1}\n");
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error().code, AuditErrc::kIo);
  EXPECT_EQ(written.error().sys_errno, ENOSPC);
  EXPECT_EQ(written.error().message, "writing 10 bytes to /dev/full: No space left on device");
  EXPECT_FALSE(file.broken());  // nothing reached the device, so nothing needs cutting back
  EXPECT_EQ(file.size(), 0U);
}

// A file size limit makes the kernel accept part of a write and then refuse
// the rest: the torn part must not stay in the file.
TEST(AppendFile, APartialWriteIsCutBack) {
  const TempDir dir;
  const UniqueFd dir_fd = open_dir(dir.path());
  auto file = AppendFile::open(dir_fd.get(), "f", dir / "f", 0600, true);
  ASSERT_TRUE(file);
  ASSERT_TRUE(file->append("first line\n"));

  testing_support::FileSizeLimit limit(15);  // room for 4 of the next 12 bytes
  ASSERT_TRUE(limit.ok());
  const auto written = file->append("second line\n");
  limit.lift();

  ASSERT_FALSE(written);
  EXPECT_EQ(written.error().sys_errno, EFBIG);
  EXPECT_EQ(written.error().message,
            "writing 12 bytes to " + (dir / "f").string() + ": File too large");
  EXPECT_FALSE(file->broken());
  EXPECT_EQ(read_text(dir / "f"), "first line\n");
  ASSERT_TRUE(file->append("third line\n"));
  EXPECT_EQ(read_text(dir / "f"), "first line\nthird line\n");
}

}  // namespace
}  // namespace moat::core::audit
