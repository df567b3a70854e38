#include "core/audit/hash_chain.h"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace moat::core::audit {
namespace {

TEST(HashChain, Sha256HexMatchesKnownDigests) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex(std::string(1'000'000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  // A reused context starts clean: the same input gives the same digest.
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

// The audit log and the verifiers hash from several threads at once.
TEST(HashChain, Sha256HexFromSeveralThreadsAtOnce) {
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&wrong, t] {
      const std::string input(static_cast<std::size_t>(100 + t), 'a');
      const std::string expected = sha256_hex(input);
      for (int i = 0; i < 2000; ++i) {
        if (sha256_hex(input) != expected || sha256_hex("abc") != sha256_hex("abc")) ++wrong;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(sha256_hex(std::string(100, 'a')), "2816597888e4a0d3a36b82b83316ab32680eb8f00f8cd3b904d681246d285a0e");
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
