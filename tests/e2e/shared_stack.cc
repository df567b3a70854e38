#include "e2e/shared_stack.h"

#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>

namespace moat::testing {
namespace {

std::unique_ptr<TestStack>& holder() {
  static std::unique_ptr<TestStack> stack;
  return stack;
}

}  // namespace

TestStack& shared_stack() {
  if (!holder()) {
    auto stack = std::make_unique<TestStack>(
        "shared", test_admin_settings(R"("blockDockerLoad": {"locked": false, "value": false},
  "proxy": {"locked": true, "mode": "system"})"));
    const auto up = stack->up();
    if (up.exit_code != 0) throw std::runtime_error("shared stack did not come up: " + up.all());
    stack->build_test_images();
    developer();
    holder() = std::move(stack);
  }
  return *holder();
}

void release_shared_stack() {
  if (holder()) {
    holder()->down();
    // In the sanitizer build moatd reports memory and UB errors to its log,
    // and leaks when it stops: any such line fails the suite.
    const std::string reports = holder()->sanitizer_reports();
    if (!reports.empty()) ADD_FAILURE() << "moatd sanitizer reports:\n" << reports;
  }
  holder().reset();
}

}  // namespace moat::testing
