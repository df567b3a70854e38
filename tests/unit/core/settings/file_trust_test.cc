#include "core/settings/file_trust.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "support/temp_dir.h"

namespace moat::core::settings {
namespace {

namespace fs = std::filesystem;

// The checks are about ownership by root, so these tests run as root (as CI
// does) and hand files to another uid to play the tamperer.
class FileTrust : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::geteuid(), 0U) << "file trust tests change file owners and must run as root";
    ::chmod(dir_.c_str(), 0755);
    file_ = dir_ + "/admin-settings.json";
    std::ofstream(file_) << "{}";
    ::chmod(file_.c_str(), 0644);
  }

  testing_support::TempDir temp_{"moat-trust"};
  std::string dir_ = temp_.str();
  std::string file_;
};

TEST_F(FileTrust, ReadsRootOwnedFile) {
  const auto text = read_trusted_file(file_);
  ASSERT_TRUE(text) << text.error().message;
  EXPECT_EQ(*text, "{}");
}

TEST_F(FileTrust, RefusesFileOwnedByAnotherUser) {
  ASSERT_EQ(::chown(file_.c_str(), 1000, 1000), 0);
  EXPECT_EQ(read_trusted_file(file_).error().message,
            file_ + ": refused as tampered: " + file_ + " is owned by uid 1000, not root");
}

TEST_F(FileTrust, RefusesGroupWritableFile) {
  ::chmod(file_.c_str(), 0664);
  EXPECT_EQ(read_trusted_file(file_).error().message,
            file_ + ": refused as tampered: " + file_ + " is writable by group or others (mode 0664)");
}

TEST_F(FileTrust, RefusesWritableParentDirectory) {
  ::chmod(dir_.c_str(), 0777);
  EXPECT_EQ(read_trusted_file(file_).error().message,
            file_ + ": refused as tampered: " + dir_ + " is writable by group or others (mode 0777)");
}

TEST_F(FileTrust, AcceptsRootOwnedStickyParent) {
  ::chmod(dir_.c_str(), 01777);
  EXPECT_TRUE(read_trusted_file(file_));
}

TEST_F(FileTrust, RefusesSymlinkToUntrustedFile) {
  const std::string target_dir = dir_ + "/user";
  fs::create_directory(target_dir);
  ASSERT_EQ(::chown(target_dir.c_str(), 1000, 1000), 0);
  const std::string target = target_dir + "/settings.json";
  std::ofstream(target) << "{}";
  const std::string link = dir_ + "/linked.json";
  fs::create_symlink(target, link);
  EXPECT_EQ(read_trusted_file(link).error().message,
            link + ": refused as tampered: it resolves to " + target + ", and " + target_dir +
                " is owned by uid 1000, not root");
}

TEST_F(FileTrust, RefusesSymlinkOwnedByAnotherUser) {
  const std::string link = dir_ + "/linked.json";
  fs::create_symlink(file_, link);
  ASSERT_EQ(::lchown(link.c_str(), 1000, 1000), 0);
  EXPECT_EQ(read_trusted_file(link).error().message,
            link + ": refused as tampered: " + link + " is owned by uid 1000, not root");
}

TEST_F(FileTrust, ReportsMissingFile) {
  EXPECT_EQ(read_trusted_file(dir_ + "/none.json").error().message,
            dir_ + "/none.json: cannot read: No such file or directory");
}

TEST_F(FileTrust, RefusesDirectoryInPlaceOfFile) {
  const std::string sub = dir_ + "/sub";
  fs::create_directory(sub);
  ::chmod(sub.c_str(), 0755);
  EXPECT_EQ(read_trusted_file(sub).error().message,
            sub + ": refused as tampered: " + sub + " changed while it was read, or is not a regular file");
}

}  // namespace
}  // namespace moat::core::settings
