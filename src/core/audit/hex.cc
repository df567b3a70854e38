#include "core/audit/hex.h"

#include <array>
#include <cstddef>
#include <cstring>

namespace moat::core::audit {

void append_lower_hex(std::string& out, std::span<const unsigned char> bytes) {
  // Two digits per byte from one table lookup, stored by index into a
  // string of the final size: a digit at a time, and push_back's capacity
  // check per digit, cost more than the rest of encoding a hash (callgrind:
  // 640 instructions per SHA-256, 288 so).
  static constexpr auto kDigitPairs = [] {
    constexpr char kHex[] = "0123456789abcdef";
    std::array<std::array<char, 2>, 256> pairs{};
    for (std::size_t b = 0; b < 256; ++b) pairs[b] = {kHex[b >> 4U], kHex[b & 0x0FU]};
    return pairs;
  }();
  const std::size_t start = out.size();
  out.resize(start + 2 * bytes.size());
  char* to = out.data() + start;
  for (const unsigned char byte : bytes) {
    std::memcpy(to, kDigitPairs[byte].data(), 2);
    to += 2;
  }
}

std::string lower_hex(std::span<const unsigned char> bytes) {
  std::string out;
  append_lower_hex(out, bytes);
  return out;
}

}  // namespace moat::core::audit
