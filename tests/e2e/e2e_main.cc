// End-to-end tests: real moatctl, moatd, dockerd and runc, and a real
// non-root developer using the real docker CLI. They need root.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "e2e/shared_stack.h"

namespace {

class SharedStackEnvironment : public ::testing::Environment {
 public:
  void TearDown() override {
    moat::testing::release_shared_stack();
    std::error_code ec;
    std::filesystem::remove_all(moat::testing::scratch_dir(), ec);
  }
};

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  if (::geteuid() != 0) {
    std::fprintf(stderr, "the end-to-end tests start engines and create users: run them as root\n");
    return 1;
  }
  ::testing::AddGlobalTestEnvironment(new SharedStackEnvironment);
  return RUN_ALL_TESTS();
}
