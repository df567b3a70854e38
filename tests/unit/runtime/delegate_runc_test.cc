#include "runtime/delegate_runc.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "support/temp_dir.h"

namespace moat::runtime {
namespace {

// The engine reads runc's exit status from moat-runc: it must come through
// unchanged, a killed runc as a shell would report it.
TEST(RunRunc, PassesTheExitStatusOnAsTheEngineWouldSeeRuncs) {
  auto ok = run_runc("/bin/sh", {"-c", "exit 0"});
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(*ok, 0);
  auto failed = run_runc("/bin/sh", {"-c", "exit 7"});
  ASSERT_TRUE(failed) << failed.error().message;
  EXPECT_EQ(*failed, 7);
  auto killed = run_runc("/bin/sh", {"-c", "kill -KILL $$"});
  ASSERT_TRUE(killed) << killed.error().message;
  EXPECT_EQ(*killed, 128 + 9);
}

TEST(RunRunc, GivesTheArgumentsExactlyAndAMissingProgramAs127) {
  testing_support::TempDir dir("moat-delegate");
  const std::string out = dir.str() + "/args";
  auto r = run_runc("/bin/sh", {"-c", "printf '%s|' \"$@\" > " + out, "sh", "--root", "/a b", ""});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, 0);
  std::ifstream in(out);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "--root|/a b||");
  auto missing = run_runc(dir.str() + "/no-such-runc", {"state", "x"});
  ASSERT_TRUE(missing) << missing.error().message;
  EXPECT_EQ(*missing, 127);
}

}  // namespace
}  // namespace moat::runtime
