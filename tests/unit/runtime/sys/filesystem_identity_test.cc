#include "runtime/sys/filesystem_identity.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "support/temp_dir.h"

namespace moat::runtime::sys {
namespace {

constexpr std::uint32_t kContainerRoot = 165536;

class BorrowedFilesystemIdentityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::geteuid(), 0U) << "the unit tests run as root (moat-runc does)";
    ASSERT_EQ(::chmod(dir_.c_str(), 0700), 0);  // root's own: only capabilities let another id in
  }

  // Creates `name` in the root-only directory; its owner, or -1.
  long long owner_of_new_file(const std::string& name) const {
    const std::string path = dir_ + "/" + name;
    const int fd = ::open(path.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
    if (fd < 0) return -1;
    ::close(fd);
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return -1;
    return st.st_uid == st.st_gid ? static_cast<long long>(st.st_uid) : -1;
  }

  testing_support::TempDir temp_{"moat-fsid"};
  std::string dir_ = temp_.str();
};

TEST_F(BorrowedFilesystemIdentityTest, FilesAreMadeAsTheBorrowedIdWithRootsCapabilitiesKept) {
  auto identity = BorrowedFilesystemIdentity::take(kContainerRoot);
  ASSERT_TRUE(identity) << identity.error().message;
  EXPECT_EQ(static_cast<std::uint32_t>(::setfsuid(static_cast<uid_t>(-1))), kContainerRoot);
  EXPECT_EQ(owner_of_new_file("borrowed"), kContainerRoot);
}

TEST_F(BorrowedFilesystemIdentityTest, RootsIdsAndSecurebitsComeBackWhenItGoes) {
  const int bits_before = ::prctl(PR_GET_SECUREBITS, 0, 0, 0, 0);
  {
    auto identity = BorrowedFilesystemIdentity::take(kContainerRoot);
    ASSERT_TRUE(identity) << identity.error().message;
    auto moved = std::move(*identity);  // only the last owner gives the ids back
  }
  EXPECT_EQ(::setfsuid(static_cast<uid_t>(-1)), 0);
  EXPECT_EQ(::setfsgid(static_cast<gid_t>(-1)), 0);
  EXPECT_EQ(::prctl(PR_GET_SECUREBITS, 0, 0, 0, 0), bits_before);
  EXPECT_EQ(owner_of_new_file("root"), 0);
}

}  // namespace
}  // namespace moat::runtime::sys
