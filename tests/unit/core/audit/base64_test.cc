#include "core/audit/base64.h"

#include <gtest/gtest.h>

namespace moat::core::audit {
namespace {

TEST(Base64, EncodesRfc4648Vectors) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_encode(std::string("\xff\x00\x01", 3)), "/wAB");
}

TEST(Base64, DecodesCanonicalText) {
  EXPECT_EQ(base64_decode("Zg=="), "f");
  EXPECT_EQ(base64_decode("Zm8="), "fo");
  EXPECT_EQ(base64_decode("Zm9vYmFy"), "foobar");
  EXPECT_EQ(base64_decode("/wAB"), std::string("\xff\x00\x01", 3));
}

TEST(Base64, RefusesEverySecondSpelling) {
  for (const char* text :
       {"", "Zg=", "Zg", "Zh==", "Zm9=", " Zm9v", "Zm9v\n", "Zm=v", "Zm9v====", "Zm-v", "Zm_v"}) {
    EXPECT_FALSE(base64_decode(text)) << '"' << text << '"';
  }
}

}  // namespace
}  // namespace moat::core::audit
