// The engine's shim deletes every container twice: after the real delete
// comes `delete --force ID`, when runc has nothing left of it. moat-runc
// answers that one without starting runc, and must answer exactly as runc
// does: the same exit status, the same words, the same log file, the same
// disk afterwards. Every other delete of a container runc does not have
// still goes to runc. Each case runs the real runc and moat-runc side by
// side, each with a runc root of its own.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "harness/command.h"
#include "harness/runtime_bundle.h"
#include "harness/test_stack.h"

namespace moat::testing {
namespace {

namespace fs = std::filesystem;

// strace stops the sanitizer build's leak check at exit (see RuntimeCrash).
constexpr const char* kUntraceableLeakCheck = "ASAN_OPTIONS=detect_leaks=0";
const std::string kId = "second-delete1";

struct Answer {
  int exit_code = -1;
  std::string words;  // stdout, then stderr, runc's timestamps taken out
  std::string logged;  // the log file, timestamps taken out; "(none)" if absent
  bool ran_runc = false;
  std::string left;  // what is left under the runc root
};

std::string without_times(const std::string& text) {
  static const std::regex time_field(R"re((time=|"time":)"[^"]*")re");
  return std::regex_replace(text, time_field, "$1\"T\"");
}

std::string read_file(const std::string& path) {
  std::stringstream text;
  text << std::ifstream(path).rdbuf();
  return text.str();
}

class RuntimeSecondDelete : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = scratch_dir() + "/runtime-second-delete";
    fs::remove_all(dir_);
    for (const char* side : {"runc", "moat"}) fs::create_directories(dir_ + "/" + side + "/root");
    fs::create_directories(dir_ + "/state");
  }
  void TearDown() override {
    run(bin_dir() + "/moat-runc --moat-state " + dir_ + "/state --root " + root("moat") + " delete -f " + kId);
    fs::remove_all(dir_);
  }

  std::string root(const std::string& side) const { return dir_ + "/" + side + "/root"; }

  std::string program(const std::string& side) const {
    return side == "runc" ? std::string("/usr/sbin/runc")
                          : bin_dir() + "/moat-runc --moat-state " + dir_ + "/state";
  }

  // `<program> GLOBALS --root ROOT --log LOG --log-format json ARGS` for one
  // side, with the side's own root, traced so the test sees whether runc was
  // started. A LOG of "-" means the side's own log.json.
  Answer answer(const std::string& side, const std::string& globals, const std::string& args,
                const std::string& log = "-") const {
    const std::string the_log = log == "-" ? dir_ + "/" + side + "/log.json" : log;
    const std::string trace = dir_ + "/" + side + "/trace";
    const auto r = run(std::string(kUntraceableLeakCheck) + " strace -f -qq -e trace=execve -o " + trace + " " +
                       program(side) + " " + globals + " --root " + root(side) + " --log " + the_log +
                       " --log-format json " + args + " < /dev/null");
    Answer a;
    a.exit_code = r.exit_code;
    a.words = without_times(r.out + "|" + r.err);
    a.logged = fs::exists(the_log) ? without_times(read_file(the_log)) : "(none)";
    a.ran_runc = read_file(trace).find("execve(\"/usr/sbin/runc\"") != std::string::npos;
    a.left = run("cd " + root(side) + " 2>/dev/null && find . | sort || echo '(no root)'").out;
    return a;
  }

  // The same call on both sides; moat-runc's answer must equal runc's.
  Answer compare(const std::string& globals, const std::string& args) const {
    const Answer runc = answer("runc", globals, args);
    const Answer moat = answer("moat", globals, args);
    EXPECT_EQ(moat.exit_code, runc.exit_code) << moat.words << " / " << runc.words;
    EXPECT_EQ(moat.words, runc.words);
    EXPECT_EQ(moat.logged, runc.logged);
    EXPECT_EQ(moat.left, runc.left);
    return moat;
  }

  // Makes the same thing under both runc roots.
  void on_both_roots(const std::string& shell) const {
    for (const char* side : {"runc", "moat"}) {
      ASSERT_EQ(run("cd " + root(side) + " && " + shell).exit_code, 0) << shell;
    }
  }

  std::string dir_;
};

TEST_F(RuntimeSecondDelete, AForcedDeleteOfAContainerRuncDoesNotHaveIsAnsweredWithoutRunc) {
  const Answer moat = compare("", "delete --force " + kId);
  EXPECT_EQ(moat.exit_code, 0);
  EXPECT_EQ(moat.words, "|");
  EXPECT_EQ(moat.logged, "");  // created, empty, as runc leaves it
  EXPECT_FALSE(moat.ran_runc);
  // The short flag and the flag's explicit value are the same call to runc.
  EXPECT_FALSE(compare("", "delete -f " + kId).ran_runc);
  EXPECT_FALSE(compare("", "delete --force=true " + kId).ran_runc);
}

TEST_F(RuntimeSecondDelete, TheEnginesSecondDeleteAfterARealOneStartsNoRunc) {
  // A real container, created, run to its end and deleted through moat-runc
  // as the engine does it; then the shim's second delete.
  const std::string bundle = dir_ + "/bundle";
  install_busybox(bundle + "/rootfs", {"sh"});
  auto config = runc_default_config(bundle);
  config["process"]["args"] = {"sh", "-c", "exit 0"};
  std::ofstream(bundle + "/config.json") << config.dump();
  write_protected_paths(dir_ + "/state", dir_);
  const std::string moat_runc = program("moat") + " --root " + root("moat") + " ";
  // The container's init keeps create's descriptors: its words go to a file.
  const auto created =
      run(moat_runc + "create --bundle " + bundle + " " + kId + " < /dev/null > " + dir_ + "/created 2>&1");
  ASSERT_EQ(created.exit_code, 0) << read_file(dir_ + "/created");
  ASSERT_FALSE(created.timed_out);
  ASSERT_EQ(run(moat_runc + "start " + kId).exit_code, 0);
  ASSERT_EQ(run("for i in $(seq 500); do " + moat_runc + "state " + kId +
                " | grep -q '\"stopped\"' && exit 0; sleep 0.01; done; exit 1")
                .exit_code,
            0);
  const auto first = run(moat_runc + "delete " + kId);
  ASSERT_EQ(first.exit_code, 0) << first.all();

  const Answer second = answer("moat", "", "delete --force " + kId);
  EXPECT_EQ(second.exit_code, 0);
  EXPECT_EQ(second.words, "|");
  EXPECT_FALSE(second.ran_runc);
  EXPECT_EQ(second.left, ".\n");
}

TEST_F(RuntimeSecondDelete, EveryOtherDeleteOfAContainerRuncDoesNotHaveGoesToRunc) {
  // Without --force, runc's error.
  EXPECT_TRUE(compare("", "delete " + kId).ran_runc);
  EXPECT_TRUE(compare("", "delete --force=false " + kId).ran_runc);
  // Options that take runc down other paths first.
  EXPECT_TRUE(compare("--systemd-cgroup", "delete --force " + kId).ran_runc);
  EXPECT_TRUE(compare("--rootless true", "delete --force " + kId).ran_runc);
  EXPECT_TRUE(compare("--debug", "delete --force " + kId).ran_runc);
  // Usage errors: two ids, an id runc refuses.
  EXPECT_TRUE(compare("", "delete --force " + kId + " other").ran_runc);
  EXPECT_TRUE(compare("", "delete --force ..").ran_runc);
}

TEST_F(RuntimeSecondDelete, WhatRuncWouldRemoveOrCreateIsLeftToRunc) {
  // The directory an aborted create leaves (no state.json): runc removes it.
  on_both_roots("mkdir " + kId);
  Answer moat = compare("", "delete --force " + kId);
  EXPECT_TRUE(moat.ran_runc);
  EXPECT_EQ(moat.left, ".\n");
  // A dangling link in its place.
  on_both_roots("ln -s nowhere " + kId);
  moat = compare("", "delete --force " + kId);
  EXPECT_TRUE(moat.ran_runc);
  EXPECT_EQ(moat.left, ".\n");
  // No runc root at all: runc makes it.
  for (const char* side : {"runc", "moat"}) fs::remove_all(root(side));
  moat = compare("", "delete --force " + kId);
  EXPECT_TRUE(moat.ran_runc);
  EXPECT_EQ(moat.left, ".\n");
}

TEST_F(RuntimeSecondDelete, ALogFileRuncCannotOpenIsRuncsError) {
  const std::string unopenable = dir_ + "/no-such-dir/log.json";
  const Answer runc = answer("runc", "", "delete --force " + kId, unopenable);
  const Answer moat = answer("moat", "", "delete --force " + kId, unopenable);
  EXPECT_NE(runc.exit_code, 0);
  EXPECT_EQ(moat.exit_code, runc.exit_code);
  EXPECT_EQ(moat.words, runc.words);
  EXPECT_TRUE(moat.ran_runc);
}

}  // namespace
}  // namespace moat::testing
