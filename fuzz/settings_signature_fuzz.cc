// The two texts the trust module reads from disk before trusting anything:
// a detached signature (FILE.sig) and a manifest. The first byte picks which.
// Properties: no crash; a decoded signature re-encodes to the same text; a
// manifest that parses serialises back to one that parses to the same files;
// a signature never verifies a message it was not made for.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/audit/signing_key.h"
#include "core/trust/detached_signature.h"
#include "core/trust/manifest.h"

namespace {

const moat::core::audit::SigningKey& fixed_key() {
  static const auto key = moat::core::audit::SigningKey::generate().value();
  return key;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  using namespace moat::core::trust;
  if (data[0] % 2 == 0) {
    const auto raw = decode_signature(text);
    if (raw) {
      const std::string again = encode_signature(*raw);
      if (again != text && again != std::string(text) + "\n") __builtin_trap();
    }
    const auto& key = fixed_key();
    if (verify_detached(key.verify_key(), "fuzzed message", text)) __builtin_trap();
    const auto made = key.sign(text);
    if (!made || !verify_detached(key.verify_key(), text, encode_signature(*made))) __builtin_trap();
  } else {
    const auto manifest = parse_manifest(text);
    if (manifest) {
      const auto again = parse_manifest(serialize_manifest(*manifest));
      if (!again || again->files != manifest->files || again->bin_dir != manifest->bin_dir) __builtin_trap();
    }
  }
  return 0;
}
