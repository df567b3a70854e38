#include "runtime/spec/capabilities.h"

#include <gtest/gtest.h>

namespace moat::runtime::spec {
namespace {

TEST(Capabilities, NamesAndBoundingSet) {
  EXPECT_EQ(capability_bit("CAP_SYS_RESOURCE"), 24U);
  EXPECT_EQ(capability_bit("CAP_CHECKPOINT_RESTORE"), 40U);
  EXPECT_FALSE(capability_bit("CAP_NOPE"));
  EXPECT_EQ(capability_name(21), "CAP_SYS_ADMIN");
  EXPECT_FALSE(capability_name(41));
  auto mask = bounding_set_from_status("Name:\tx\nCapPrm:\t0\nCapBnd:\t000001fffeffffff\n");
  ASSERT_TRUE(mask);
  EXPECT_EQ(*mask, 0x1fffeffffffULL);
  EXPECT_EQ(bounding_set_from_status("CapBnd:\tzz\n").error().message,
            "CapBnd is not a hexadecimal mask: \"zz\"");
  EXPECT_EQ(bounding_set_from_status("Name: x\n").error().message,
            "no CapBnd line in the process status");
}

}  // namespace
}  // namespace moat::runtime::spec
