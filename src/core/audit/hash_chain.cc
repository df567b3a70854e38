#include "core/audit/hash_chain.h"

#include <array>
#include <cstring>

#include <openssl/sha.h>

namespace moat::core::audit {
namespace {

// Hashed with the SHA256_* functions, deprecated since OpenSSL 3.0 in favour
// of EVP: OpenSSL 3.0's EVP_DigestInit_ex2 frees the digest's provider
// context and allocates a new one at every init, even for the same digest,
// which cost about 1,000 instructions per audit line, over half as much as
// building the line (callgrind, /_ping through moatd). They run the same
// code as the EVP digest, the CPU's SHA instructions included.
using Digest = std::array<unsigned char, SHA256_DIGEST_LENGTH>;

bool sha256(std::string_view bytes, Digest& digest) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  SHA256_CTX context;
  const bool hashed = SHA256_Init(&context) == 1 && SHA256_Update(&context, bytes.data(), bytes.size()) == 1 &&
                      SHA256_Final(digest.data(), &context) == 1;
#pragma GCC diagnostic pop
  return hashed;
}

}  // namespace

std::string sha256_hex(std::string_view bytes) {
  std::string hex;
  sha256_hex_to(hex, bytes);
  return hex;
}

void sha256_hex_to(std::string& hex, std::string_view bytes) {
  Digest digest{};
  if (!sha256(bytes, digest)) {
    hex.clear();
    return;
  }
  // Two digits per byte from one table lookup, stored by index into a
  // string of the final size: a digit at a time, and push_back's capacity
  // check per digit, cost more than the rest of the encoding (callgrind:
  // sha256_hex_to's own instructions per digest, 640 before, 288 so).
  static constexpr auto kDigitPairs = [] {
    constexpr char kHex[] = "0123456789abcdef";
    std::array<std::array<char, 2>, 256> pairs{};
    for (std::size_t b = 0; b < 256; ++b) pairs[b] = {kHex[b >> 4U], kHex[b & 0x0FU]};
    return pairs;
  }();
  hex.resize(2 * digest.size());
  char* out = hex.data();
  for (const unsigned char byte : digest) {
    std::memcpy(out, kDigitPairs[byte].data(), 2);
    out += 2;
  }
}

}  // namespace moat::core::audit
