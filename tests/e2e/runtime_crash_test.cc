// A crash of moat-runc at any step leaves nothing behind once the next
// `delete` has run, as the engine's shim runs it after a failed create: no
// mount of the container's root, no id range held, no container in runc.
//
// The crash is real: strace kills moat-runc with SIGKILL as it enters the
// n-th call of a system call, for every call of every system call that
// changes state (a directory, a file, a rename, a lock, a mount, starting
// runc or waiting for it), counted on a run that did not crash. The bundle
// is a plain busybox root, and moat-runc runs by hand, with the real runc.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "harness/command.h"
#include "harness/runtime_bundle.h"
#include "harness/test_stack.h"

namespace moat::testing {
namespace {

namespace fs = std::filesystem;

// The system calls by which moat-runc changes anything (openat: also how it
// creates and writes its state files).
constexpr const char* kStepCalls =
    "mkdir,mkdirat,openat,write,rename,renameat,renameat2,chmod,fchmod,flock,unlink,unlinkat,rmdir,"
    "open_tree,mount_setattr,move_mount,mount,umount2,clone,clone3,wait4";

// In the sanitizer build, the leak check at exit stops the process's threads
// with ptrace, which fails under strace; the other tests check for leaks.
constexpr const char* kUntraceableLeakCheck = "ASAN_OPTIONS=detect_leaks=0";

class RuntimeCrash : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = scratch_dir() + "/runtime-crash";
    fs::remove_all(dir_);
    fs::create_directories(dir_ + "/state");
    fs::create_directories(dir_ + "/runc");
    install_busybox(dir_ + "/bundle/rootfs", {"sh", "sleep"});
    auto config = runc_default_config(dir_ + "/bundle");
    config["process"]["args"] = {"sleep", "600"};
    config["linux"]["namespaces"].push_back({{"type", "cgroup"}});
    config_ = config.dump();
    config["process"]["args"] = {"sh", "-c", "exit 0"};
    ending_config_ = config.dump();
    write_protected_paths(dir_ + "/state", dir_);
  }
  void TearDown() override {
    run(moat_runc("delete -f " + kId));
    fs::remove_all(dir_);
  }

  // The container's init keeps the descriptors of `create` open: what
  // moat-runc and runc print goes to a file, which failures show.
  std::string moat_runc(const std::string& args) const {
    return bin_dir() + "/moat-runc --moat-state " + dir_ + "/state --root " + dir_ + "/runc " + args +
           " < /dev/null > " + dir_ + "/output 2>&1";
  }
  std::string output() const {
    std::stringstream text;
    text << std::ifstream(dir_ + "/output").rdbuf();
    return text.str();
  }
  std::string create() const { return moat_runc("create --bundle " + dir_ + "/bundle " + kId); }
  // moat-runc rewrites the bundle's config.json; each create starts from the original.
  void fresh_bundle() const { std::ofstream(dir_ + "/bundle/config.json") << config_; }

  // A container whose process has run and ended, as the engine deletes it.
  void ended_container() const {
    std::ofstream(dir_ + "/bundle/config.json") << ending_config_;
    ASSERT_EQ(run(create()).exit_code, 0) << output();
    ASSERT_EQ(run(moat_runc("start " + kId)).exit_code, 0) << output();
    ASSERT_EQ(run("for i in $(seq 500); do " + moat_runc("state " + kId) + "; grep -q '\"stopped\"' " + dir_ +
                  "/output && exit 0; sleep 0.01; done; exit 1")
                  .exit_code,
              0)
        << output();
  }

  // Each (system call, n) that `command` makes, from a run that does not crash.
  std::vector<std::pair<std::string, int>> steps_of(const std::string& command) const {
    const std::string trace = dir_ + "/trace";
    const auto r = run(std::string(kUntraceableLeakCheck) + " strace -qq -o " + trace + " -e trace=" + kStepCalls +
                       " " + command);
    EXPECT_EQ(r.exit_code, 0) << r.all() << output();
    std::ifstream in(trace);
    std::map<std::string, int> seen;
    std::vector<std::pair<std::string, int>> steps;
    for (std::string line; std::getline(in, line);) {
      const auto paren = line.find('(');
      if (paren == std::string::npos || line.starts_with("+++") || line.starts_with("---")) continue;
      const std::string call = line.substr(0, paren);
      steps.emplace_back(call, ++seen[call]);
    }
    return steps;
  }

  // Runs `command`, killed as it enters the n-th `call`.
  CommandResult crash_at(const std::string& command, const std::pair<std::string, int>& step) const {
    return run(std::string(kUntraceableLeakCheck) + " strace -qq -o /dev/null -e trace=" + step.first +
               " -e inject=" + step.first +
               ":signal=KILL:when=" + std::to_string(step.second) + " " + command);
  }

  // Nothing of the container is left: no mount under moat-runc's state, no
  // range, no container in runc.
  void expect_nothing_left() const {
    const std::string state = dir_ + "/state";
    EXPECT_EQ(run("grep -c ' " + state + "' /proc/self/mountinfo").out, "0\n");
    EXPECT_TRUE(fs::is_empty(state + "/idmap/slots"));
    EXPECT_TRUE(fs::is_empty(state + "/idmap/by-id"));
    EXPECT_FALSE(fs::exists(state + "/containers/" + kId));
    EXPECT_FALSE(fs::exists(dir_ + "/runc/" + kId));
  }

  static std::string step_name(const std::pair<std::string, int>& step) {
    return "killed entering " + step.first + " #" + std::to_string(step.second);
  }

  const std::string kId = "crash1";
  std::string dir_;
  std::string config_;
  std::string ending_config_;
};

TEST_F(RuntimeCrash, ACrashAtAnyStepOfCreateIsUndoneByDelete) {
  fresh_bundle();
  const auto steps = steps_of(create());
  ASSERT_EQ(run(moat_runc("delete -f " + kId)).exit_code, 0) << output();
  expect_nothing_left();
  // Reads the settings, takes a range, mounts the root ID-mapped, writes the
  // config and its record, starts runc and waits for it.
  ASSERT_GE(steps.size(), 20U);
  for (const auto& step : steps) {
    SCOPED_TRACE(step_name(step));
    fresh_bundle();
    const auto crashed = crash_at(create(), step);
    EXPECT_EQ(crashed.exit_code, 128 + 9) << crashed.all() << output();
    const auto deleted = run(moat_runc("delete -f " + kId));
    EXPECT_EQ(deleted.exit_code, 0) << output();
    expect_nothing_left();
  }
}

TEST_F(RuntimeCrash, ACrashAtAnyStepOfDeleteIsUndoneByTheNextDelete) {
  fresh_bundle();
  ASSERT_EQ(run(create()).exit_code, 0) << output();
  const auto steps = steps_of(moat_runc("delete -f " + kId));
  expect_nothing_left();
  ASSERT_GE(steps.size(), 5U);
  for (const auto& step : steps) {
    SCOPED_TRACE(step_name(step));
    fresh_bundle();
    ASSERT_EQ(run(create()).exit_code, 0) << output();
    const auto crashed = crash_at(moat_runc("delete -f " + kId), step);
    EXPECT_EQ(crashed.exit_code, 128 + 9) << crashed.all() << output();
    const auto deleted = run(moat_runc("delete -f " + kId));
    EXPECT_EQ(deleted.exit_code, 0) << output();
    expect_nothing_left();
  }
}

// Once the container's process has ended, moat-runc undoes its mounts in a
// thread of its own while runc deletes the container; strace follows the
// main thread only, so the kill lands at any step of it with the thread
// anywhere in its work.
TEST_F(RuntimeCrash, ACrashAtAnyStepOfAnEndedContainersDeleteIsUndoneByTheNextDelete) {
  ended_container();
  const auto steps = steps_of(moat_runc("delete " + kId));
  expect_nothing_left();
  const auto unmounts = std::count_if(steps.begin(), steps.end(), [](const auto& s) { return s.first == "umount2"; });
  EXPECT_EQ(unmounts, 0) << "the mounts were expected to be undone beside runc's delete, not after it";
  ASSERT_GE(steps.size(), 5U);
  for (const auto& step : steps) {
    SCOPED_TRACE(step_name(step));
    ended_container();
    const auto crashed = crash_at(moat_runc("delete " + kId), step);
    EXPECT_EQ(crashed.exit_code, 128 + 9) << crashed.all() << output();
    const auto deleted = run(moat_runc("delete -f " + kId));
    EXPECT_EQ(deleted.exit_code, 0) << output();
    expect_nothing_left();
  }
}

}  // namespace
}  // namespace moat::testing
