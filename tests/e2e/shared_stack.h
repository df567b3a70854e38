#pragma once
// One stack, with its test images, shared by the tests that only use it.

#include "harness/test_stack.h"

namespace moat::testing {

TestStack& shared_stack();
void release_shared_stack();

}  // namespace moat::testing
