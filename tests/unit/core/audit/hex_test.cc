#include "core/audit/hex.h"

#include <array>
#include <string>

#include <gtest/gtest.h>

namespace moat::core::audit {
namespace {

TEST(LowerHex, WritesTwoLowerCaseDigitsPerByte) {
  const std::array<unsigned char, 5> bytes{0x00, 0x0f, 0xa0, 0x7e, 0xff};
  EXPECT_EQ(lower_hex(bytes), "000fa07eff");
  EXPECT_EQ(lower_hex({}), "");
}

TEST(LowerHex, AppendsAfterWhatIsThere) {
  std::string out = "sha256:";
  const std::array<unsigned char, 2> bytes{0xde, 0xad};
  append_lower_hex(out, bytes);
  EXPECT_EQ(out, "sha256:dead");
}

}  // namespace
}  // namespace moat::core::audit
