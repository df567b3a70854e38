#include "runtime/runc_state.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <utility>

#include "core/sys/process.h"
#include "support/temp_dir.h"

namespace moat::runtime {
namespace {

// A runc root holding one container, "c1", whose state names `pid` started
// at `start`, the way runc 1.1 writes it (the rest of its state left out).
class RuncStateTest : public ::testing::Test {
 protected:
  void write_state(const std::string& text) {
    std::filesystem::create_directories(dir_.str() + "/c1");
    std::ofstream(dir_.str() + "/c1/state.json") << text;
  }
  void write_init(pid_t pid, std::uint64_t start) {
    write_state(R"({"id":"c1","init_process_pid":)" + std::to_string(pid) + R"(,"init_process_start":)" +
                std::to_string(start) + R"(,"config":{"rootfs":"/r"}})");
  }
  // A child that has exited, left a zombie for the test to reap.
  static std::pair<pid_t, std::uint64_t> exited_child() {
    const pid_t child = ::fork();
    if (child == 0) ::_exit(0);
    EXPECT_GT(child, 0);
    const std::uint64_t start = start_of(child);
    siginfo_t info{};
    EXPECT_EQ(::waitid(P_PID, static_cast<id_t>(child), &info, WEXITED | WNOWAIT), 0);
    return {child, start};
  }
  static std::uint64_t start_of(pid_t pid) {
    auto start = core::sys::process_start_time(pid);
    EXPECT_TRUE(start) << start.error().message;
    return start ? *start : 0;
  }

  testing_support::TempDir dir_{"moat-runc-state"};
};

TEST_F(RuncStateTest, ReadsTheInitsPidAndStartTime) {
  write_init(::getpid(), 12345);
  auto init = read_init_process(dir_.str(), "c1");
  ASSERT_TRUE(init) << init.error().message;
  EXPECT_EQ(init->pid, ::getpid());
  EXPECT_EQ(init->start_time, 12345U);
}

TEST_F(RuncStateTest, AStateWithoutAnInitIsAnError) {
  EXPECT_FALSE(read_init_process(dir_.str(), "c1"));
  write_state(R"({"id":"c1","init_process_pid":0,"init_process_start":1})");
  auto no_pid = read_init_process(dir_.str(), "c1");
  ASSERT_FALSE(no_pid);
  EXPECT_NE(no_pid.error().message.find("no running init"), std::string::npos) << no_pid.error().message;
  write_state(R"({"id":"c1","init_process_start":1})");
  EXPECT_FALSE(read_init_process(dir_.str(), "c1"));
  write_state(R"({"id":"c1","init_process_pid":-5,"init_process_start":1})");
  EXPECT_FALSE(read_init_process(dir_.str(), "c1"));
  write_state(R"({"id":"c1","init_process_pid":7,"init_process_start":1,})");
  EXPECT_FALSE(read_init_process(dir_.str(), "c1"));
}

TEST_F(RuncStateTest, ALiveInitHasNotEnded) {
  write_init(::getpid(), start_of(::getpid()));
  EXPECT_FALSE(init_has_ended(dir_.str(), "c1"));
}

TEST_F(RuncStateTest, AnInitWhosePidNoProcessHasHasEnded) {
  const auto [child, start] = exited_child();
  ASSERT_EQ(::waitpid(child, nullptr, 0), child);
  write_init(child, start);
  EXPECT_TRUE(init_has_ended(dir_.str(), "c1"));
}

// The pid is taken again by a process that started at another time.
TEST_F(RuncStateTest, AnInitWhosePidWasReusedHasEnded) {
  write_init(::getpid(), start_of(::getpid()) + 1);
  EXPECT_TRUE(init_has_ended(dir_.str(), "c1"));
}

// It has exited, though its parent has not yet taken its status.
TEST_F(RuncStateTest, AZombieInitHasEnded) {
  const auto [child, start] = exited_child();
  write_init(child, start);
  EXPECT_TRUE(init_has_ended(dir_.str(), "c1"));
  ASSERT_EQ(::waitpid(child, nullptr, 0), child);
}

// Doubt counts as not ended: the caller then waits for runc before undoing.
TEST_F(RuncStateTest, AnUnreadableStateHasNotEnded) {
  write_state("{not json");
  EXPECT_FALSE(init_has_ended(dir_.str(), "c1"));
  write_state(R"({"id":"c1","init_process_pid":0,"init_process_start":1})");
  EXPECT_FALSE(init_has_ended(dir_.str(), "c1"));
  std::filesystem::remove_all(dir_.str() + "/c1");
  EXPECT_FALSE(init_has_ended(dir_.str(), "c1"));
}

}  // namespace
}  // namespace moat::runtime
