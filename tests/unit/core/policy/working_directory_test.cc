#include "core/policy/working_directory.h"

#include <gtest/gtest.h>

#include "policy_test_support.h"

namespace moat::core::policy {
namespace {

using test_support::json;
using test_support::kNoRemedy;
using test_support::PolicyHarness;
using test_support::request;

// The one predicate of the rule, shared by moatd's text check and
// moat-runc's checks of the text and of where the directory resolves.
TEST(WorkingDirectoryRule, ProcessDirectoryPredicate) {
  for (const std::string path : {"/proc/self", "/proc/self/fd/7", "/proc/thread-self",
                                 "/proc/thread-self/fd/3", "/proc/1", "/proc/4242/cwd",
                                 "proc/self/fd/7", "/a/../proc/./self//fd", "/proc/self/"}) {
    EXPECT_TRUE(is_process_directory_path(path)) << path;
  }
  for (const std::string path : {"/", "", "/proc", "/proc/", "/proc/sys", "/proc/selfish",
                                 "/proc/1a", "/proc/thread-selfie/x", "/srv/proc/self",
                                 "/proc/self/../sys"}) {
    EXPECT_FALSE(is_process_directory_path(path)) << path;
  }
}

class LeakedDescriptorDirectory : public ::testing::TestWithParam<const char*> {};

TEST_P(LeakedDescriptorDirectory, IsRefusedAtCreateAndExec) {
  PolicyHarness h;
  const std::string dir = GetParam();
  const std::string expected =
      "Moat refused this request: working directory " + dir +
      " is not allowed: a directory inside /proc/self, /proc/thread-self or /proc/<pid> can "
      "reach host files through leaked descriptors (CVE-2024-21626) (rule "
      "container.working-dir)." +
      kNoRemedy;
  EXPECT_EQ(
      h.decide(request("POST", "containers/create", json{{"Image", "a"}, {"WorkingDir", dir}}))
          .message(),
      expected);
  EXPECT_EQ(h.decide(request("POST", "containers/c1/exec", json{{"WorkingDir", dir}})).message(),
            expected);
}

INSTANTIATE_TEST_SUITE_P(Directories, LeakedDescriptorDirectory,
                         ::testing::Values("/proc/self/fd/7", "/proc/thread-self/fd/5",
                                           "/proc/1/cwd", "//proc/./self/fd/../fd/8"));

TEST(WorkingDirectory, OrdinaryDirectoriesAreFine) {
  PolicyHarness h;
  for (const char* dir : {"/src", "", "/proc", "/proc/sys", "/home/proc/self"}) {
    EXPECT_TRUE(h.decide(request("POST", "containers/create", json{{"WorkingDir", dir}})).allowed)
        << dir;
  }
}

}  // namespace
}  // namespace moat::core::policy
