#include "runtime/sys/privileged_ops.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "support/temp_dir.h"

namespace moat::runtime::sys {
namespace {

constexpr idmap::IdRange kRange{300000, 65536};

class LinuxPrivilegedOpsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::geteuid(), 0U) << "the unit tests run as root (moat-runc does)";
    std::ofstream(dir_ + "/root-owned") << "x";
    std::ofstream(dir_ + "/user-owned") << "x";
    ASSERT_EQ(::chown((dir_ + "/user-owned").c_str(), 1000, 1000), 0);
  }

  static long long owner_in(int tree, const char* name) {
    struct stat st {};
    if (::fstatat(tree, name, &st, AT_SYMLINK_NOFOLLOW) != 0) return -1;
    return st.st_uid == st.st_gid ? static_cast<long long>(st.st_uid) : -1;
  }

  // This process's children, zombies included, by pid: other tests may
  // leave some of their own running.
  static std::set<std::string> children() {
    std::set<std::string> pids;
    for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
      std::ifstream in(task.path() / "children");
      for (std::string pid; in >> pid;) pids.insert(pid);
    }
    return pids;
  }

  testing_support::TempDir temp_{"moat-privops"};
  std::string dir_ = temp_.str();
  PrivilegedOps& ops_ = linux_privileged_ops();
};

// Through a clone mapped with the namespace, an owner k on disk shows as the
// range's k: what container root's files look like from the host.
TEST_F(LinuxPrivilegedOpsTest, TheMappingNamespaceShowsOwnersInsideTheContainersRange) {
  auto ns = ops_.make_mapping_userns(kRange.mapping());
  ASSERT_TRUE(ns) << ns.error().message;
  auto tree = ops_.clone_idmapped(dir_, ns->get(), false);
  ASSERT_TRUE(tree) << tree.error().message;
  EXPECT_EQ(owner_in(tree->get(), "root-owned"), 300000);
  EXPECT_EQ(owner_in(tree->get(), "user-owned"), 301000);
  // The files themselves keep their owners.
  struct stat st {};
  ASSERT_EQ(::stat((dir_ + "/root-owned").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 0U);
}

// The owner's mapping (a developer's uid and gid onto container root): the
// developer's files show as container root's, every other owner as the
// overflow id, so container root changes nothing on the host but theirs.
TEST_F(LinuxPrivilegedOpsTest, AnOwnersMappingShowsOnlyTheOwnersFilesAsContainerRoots) {
  // Even host root passes a directory that shows an unmapped owner only by
  // its mode: capabilities count only over ids the mount maps.
  ASSERT_EQ(::chmod(dir_.c_str(), 0755), 0);
  auto ns = ops_.make_mapping_userns(idmap::IdMapping{"1000 300000 1\n", "1000 300000 1\n"});
  ASSERT_TRUE(ns) << ns.error().message;
  auto tree = ops_.clone_idmapped(dir_, ns->get(), false);
  ASSERT_TRUE(tree) << tree.error().message;
  EXPECT_EQ(owner_in(tree->get(), "user-owned"), 300000);
  EXPECT_EQ(owner_in(tree->get(), "root-owned"), 65534);
}

// The helper that held the namespace while its maps were written is waited
// for: no process and no zombie is left behind after a call that succeeded.
TEST_F(LinuxPrivilegedOpsTest, TheNamespacesHelperIsGoneWhenTheCallReturns) {
  const std::set<std::string> before = children();
  for (std::uint32_t i = 0; i < 3; ++i) {
    auto ns = ops_.make_mapping_userns(idmap::IdRange{kRange.host_base + 65536U * i, 65536}.mapping());
    ASSERT_TRUE(ns) << ns.error().message;
  }
  EXPECT_EQ(children(), before);
}

}  // namespace
}  // namespace moat::runtime::sys
