#include <cstdint>
#include <string_view>

#include "core/json/strict_json.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto parsed = moat::core::json::parse_strict(text);
  if (parsed) {
    // Whatever parsed must re-serialise and parse again to the same value.
    const auto again = moat::core::json::parse_strict(parsed->value.dump());
    if (!again || again->value != parsed->value) __builtin_trap();
  }
  return 0;
}
