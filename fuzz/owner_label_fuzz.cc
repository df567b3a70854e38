// The moat.owner label's shape (core/trust/owner_seal.h), as moat-runc reads
// it from any container's record, an image's labels included. Properties:
// no crash; a label that parses names no one unnameable() refuses, carries
// a 32-digit seal, and is exactly the text its parts make.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/trust/owner_seal.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto parsed = moat::core::trust::parse_owner_label(text);
  if (!parsed) return 0;
  const auto& [owner, seal] = *parsed;
  if (moat::core::trust::unnameable(owner)) __builtin_trap();
  if (seal.size() != 32) __builtin_trap();
  if (std::to_string(owner.uid) + ":" + std::to_string(owner.gid) + ":" + seal != text) __builtin_trap();
  return 0;
}
