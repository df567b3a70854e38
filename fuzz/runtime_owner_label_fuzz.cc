// Whom a container writes host directories as: the moat.owner label in the
// engine's record of a container (runtime/idmap/container_owner.h) and the
// label's own shape (core/trust/owner_seal.h). The input is read both as
// the engine's config.v2.json and as a label. Properties: no crash; a label
// that parses names neither root nor id 4294967295, carries a 32-digit
// seal, and is exactly the text its parts make.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/trust/owner_seal.h"
#include "runtime/idmap/container_owner.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (const auto label = moat::runtime::idmap::owner_label_in_engine_config(text)) {
    if (label->empty() && text.find("\"\"") == std::string_view::npos) __builtin_trap();
  }
  const auto parsed = moat::core::trust::parse_owner_label(text);
  if (!parsed) return 0;
  const auto& [owner, seal] = *parsed;
  if (owner.uid == 0 || owner.gid == 0 || owner.uid == 0xffffffff || owner.gid == 0xffffffff) __builtin_trap();
  if (seal.size() != 32) __builtin_trap();
  if (std::to_string(owner.uid) + ":" + std::to_string(owner.gid) + ":" + seal != text) __builtin_trap();
  return 0;
}
