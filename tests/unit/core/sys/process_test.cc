// Reading /proc/<pid>/stat for real processes: this test's own and a child.
#include "core/sys/process.h"

#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace moat::core::sys
