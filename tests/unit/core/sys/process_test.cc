// Reading /proc/<pid>/stat for real processes, this test's own and a child;
// starting a real daemon.
#include "core/sys/process.h"

#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <string>

#include "core/sys/read_file.h"
#include "support/temp_dir.h"

namespace moat::core::sys {
namespace {

TEST(ProcessStartTime, NamesOneProcessAcrossReads) {
  const auto first = process_start_time(::getpid());
  ASSERT_TRUE(first) << first.error().message;
  const auto second = process_start_time(::getpid());
  ASSERT_TRUE(second);
  EXPECT_EQ(*first, *second);
  EXPECT_GT(*first, 0u);
}

TEST(ProcessStartTime, AChildStartedLaterIsNotTakenForItsParent) {
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::pause();
    ::_exit(0);
  }
  const auto child_start = process_start_time(child);
  const auto own_start = process_start_time(::getpid());
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  ASSERT_TRUE(child_start) << child_start.error().message;
  ASSERT_TRUE(own_start);
  EXPECT_GE(*child_start, *own_start);
  EXPECT_TRUE(process_alive(::getpid()));
  EXPECT_FALSE(process_alive(child));
}

TEST(ProcessStartTime, AMissingProcessIsAnError) {
  const auto missing = process_start_time(0);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message, "cannot read /proc/0/stat");
}

// A daemon holds only its own stdin, stdout and stderr: a descriptor its
// caller left open (a CI job's pipe, an admin's socket) would otherwise
// stay open for as long as the daemon runs.
TEST(SpawnDetached, TheDaemonHoldsNoDescriptorOfItsCaller) {
  testing_support::TempDir dir("moat-spawn");
  int careless[2];
  ASSERT_EQ(::pipe(careless), 0);  // no O_CLOEXEC, as a careless caller's
  // `ls` is not the last command, so the shell waits for it and lists its
  // own descriptors, not those of an exec'd ls.
  const auto pid = spawn_detached({{"/bin/sh", "-c", "ls /proc/$$/fd; true"},
                                   {{"PATH", "/usr/bin:/bin"}},
                                   dir.str() + "/daemon.log"});
  ::close(careless[0]);
  ::close(careless[1]);
  ASSERT_TRUE(pid) << pid.error().message;
  int status = 0;
  ASSERT_EQ(::waitpid(*pid, &status, 0), *pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  const auto listed = read_file(dir.str() + "/daemon.log");
  ASSERT_TRUE(listed) << listed.error().message;
  EXPECT_EQ(*listed, "0\n1\n2\n");
}

TEST(SpawnDetached, AProgramThatCannotRunIsAnError) {
  testing_support::TempDir dir("moat-spawn");
  const auto pid = spawn_detached({{dir.str() + "/missing"}, {}, dir.str() + "/daemon.log"});
  ASSERT_FALSE(pid);
  EXPECT_EQ(pid.error().message, "cannot execute " + dir.str() + "/missing: No such file or directory");
}

}  // namespace
}  // namespace moat::core::sys
