#include "core/audit/hash_chain.h"

#include <gtest/gtest.h>

namespace moat::core::audit {
namespace {

TEST(HashChain, Sha256HexMatchesKnownDigests) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(HashChain, GenesisIsSixtyFourZeros) {
  EXPECT_EQ(kGenesisPrev.size(), 64U);
  EXPECT_EQ(kGenesisPrev.find_first_not_of('0'), std::string_view::npos);
  EXPECT_TRUE(is_sha256_hex(kGenesisPrev));
}

TEST(HashChain, HexCheckWantsLowerCaseAndLength) {
  EXPECT_TRUE(is_sha256_hex(sha256_hex("x")));
  EXPECT_FALSE(is_sha256_hex("BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"));
  EXPECT_FALSE(is_sha256_hex(std::string(63, 'a')));
  EXPECT_FALSE(is_sha256_hex(std::string(65, 'a')));
  EXPECT_FALSE(is_sha256_hex(std::string(63, 'a') + "g"));
}

}  // namespace
}  // namespace moat::core::audit
