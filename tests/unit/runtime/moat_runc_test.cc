#include "runtime/moat_runc.h"

#include <gtest/gtest.h>

namespace moat::runtime {
namespace {

TEST(MoatRunc, ContainerIdsAreOnePlainPathComponent) {
  EXPECT_TRUE(valid_container_id("e3b0692a6caa861b81e0a8e23012848eeadc6b4d736cb2939ce54d4eb1b3d3c4"));
  EXPECT_TRUE(valid_container_id("my_ctr+1,v-2.0"));
  for (const char* bad : {"", ".", "..", "a/b", "a b", "a\nb", "../x"}) {
    EXPECT_FALSE(valid_container_id(bad)) << bad;
  }
}

TEST(MoatRunc, GrammarErrorsExitLikeRunc) {
  const RuntimeEnvironment env{"/nonexistent/runc", nullptr};
  const std::vector<std::string> unknown{"unknowncmd"};
  EXPECT_EQ(run_moat_runc(unknown, env), 3);
  const std::vector<std::string> bad_flag{"--bogus", "list"};
  EXPECT_EQ(run_moat_runc(bad_flag, env), 1);
}

}  // namespace
}  // namespace moat::runtime
