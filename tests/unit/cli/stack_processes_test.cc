// Which recorded pid `up`, `down` and `status` may act on: only the very
// process the record names. A pid reused by another process (after a
// reboot, or a record left by a stack that died) is never signalled.
#include "cli/stack_processes.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "core/sys/process.h"
#include "support/temp_dir.h"

namespace moat::cli {
namespace {

// A real process whose executable is called `program` (a copy of sleep).
class Impostor {
 public:
  Impostor(const testing_support::TempDir& dir, const std::string& program) {
    const auto path = dir.path() / program;
    std::filesystem::copy_file("/bin/sleep", path);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::execl(path.c_str(), program.c_str(), "600", static_cast<char*>(nullptr));
      ::_exit(127);
    }
    // Until exec is done, /proc/PID/exe still names this test binary.
    for (int i = 0; i < 200 && std::filesystem::read_symlink("/proc/" + std::to_string(pid_) + "/exe") != path; ++i) {
      ::usleep(10000);
    }
  }
  ~Impostor() {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  pid_t pid() const { return pid_; }
  std::uint64_t started() const { return core::sys::process_start_time(pid_).value(); }

 private:
  pid_t pid_ = -1;
};

TEST(RecordedProcess, ThePidOfTheRecordedProgramAndStartTimeIsTaken) {
  testing_support::TempDir dir("moat-recorded");
  const Impostor engine(dir, "dockerd");
  StackRecord record;
  record.dockerd = engine.pid();
  record.dockerd_started = engine.started();
  EXPECT_EQ(recorded_engine(record), engine.pid());
  // Records written before start times were kept: the program alone.
  record.dockerd_started = 0;
  EXPECT_EQ(recorded_engine(record), engine.pid());
}

TEST(RecordedProcess, AReusedPidIsNotTaken) {
  testing_support::TempDir dir("moat-recorded");
  const Impostor engine(dir, "dockerd");
  const Impostor other(dir, "sleep");
  StackRecord record;
  // The same program, started at another time: not the recorded process.
  record.dockerd = engine.pid();
  record.dockerd_started = engine.started() + 1;
  EXPECT_EQ(recorded_engine(record), 0);
  // Another program under the recorded pid.
  record.dockerd = other.pid();
  record.dockerd_started = 0;
  EXPECT_EQ(recorded_engine(record), 0);
  record.moatd = engine.pid();
  EXPECT_EQ(recorded_guard(record), 0) << "a dockerd is not the recorded moatd";
  record.moatd = ::getpid();
  EXPECT_EQ(recorded_guard(record), 0);
}

TEST(RecordedProcess, NoPidOrADeadOneIsNotTaken) {
  StackRecord record;
  EXPECT_EQ(recorded_engine(record), 0);
  EXPECT_EQ(recorded_guard(record), 0);
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ::waitpid(child, nullptr, 0);
  record.dockerd = child;
  EXPECT_EQ(recorded_engine(record), 0);
}

}  // namespace
}  // namespace moat::cli
