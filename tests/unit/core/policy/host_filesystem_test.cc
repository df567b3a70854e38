#include "core/policy/host_filesystem.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "policy_test_support.h"

namespace moat::core::policy {
namespace {

using test_support::TempDir;

TEST(RealHostFilesystem, ResolvesSymlinksAndKeepsTheMissingRest) {
  TempDir tmp;
  std::filesystem::create_directories(tmp / "real");
  std::filesystem::create_symlink(tmp / "real", tmp / "link");
  const auto& host = real_host_filesystem();
  EXPECT_EQ(*host.resolve(tmp / "link/not/there"), (tmp / "real/not/there").string());
}

TEST(RealHostFilesystem, IdentityFollowsLinksAndSeesHardLinks) {
  TempDir tmp;
  std::ofstream(tmp / "file") << "x";
  std::filesystem::create_hard_link(tmp / "file", tmp / "hard");
  std::filesystem::create_symlink(tmp / "file", tmp / "soft");
  const auto& host = real_host_filesystem();
  ASSERT_TRUE(host.identity(tmp / "file"));
  EXPECT_EQ(host.identity(tmp / "file"), host.identity(tmp / "hard"));
  EXPECT_EQ(host.identity(tmp / "file"), host.identity(tmp / "soft"));
  EXPECT_NE(host.identity(tmp / "file"), host.identity(tmp.path()));
  EXPECT_FALSE(host.identity(tmp / "missing"));
}

TEST(RealHostFilesystem, ASymlinkLoopDoesNotResolve) {
  TempDir tmp;
  std::filesystem::create_symlink(tmp / "loop", tmp / "loop");
  const auto resolved = real_host_filesystem().resolve(tmp / "loop/x");
  ASSERT_FALSE(resolved);
  EXPECT_EQ(resolved.error().message.rfind("cannot resolve " + (tmp / "loop/x").string() + ": ", 0), 0U);
}

}  // namespace
}  // namespace moat::core::policy
