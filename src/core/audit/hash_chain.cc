#include "core/audit/hash_chain.h"

#include <array>

#include <openssl/sha.h>

#include "core/audit/hex.h"

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
  hex.clear();
  if (sha256(bytes, digest)) append_lower_hex(hex, digest);
}

}  // namespace moat::core::audit
