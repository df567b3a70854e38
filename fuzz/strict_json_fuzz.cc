#include <cstdint>
#include <string_view>

#include "core/json/strict_json.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace moat::core::json;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto parsed = parse_strict(text);
  // Locating the values changes nothing else: the same verdict, value and
  // error, and each location is where counting from the start puts it.
  ParseOptions locating;
  locating.locate_values = true;
  const auto located = parse_strict(text, locating);
  if (parsed.has_value() != located.has_value()) __builtin_trap();
  if (!parsed) {
    if (parsed.error().message != located.error().message ||
        parsed.error().where.offset != located.error().where.offset) {
      __builtin_trap();
    }
    return 0;
  }
  if (located->value != parsed->value || !parsed->locations.empty()) __builtin_trap();
  for (const auto& [pointer, where] : located->locations) {
    const Location counted = locate(text, where.offset);
    if (counted.line != where.line || counted.column != where.column) __builtin_trap();
  }
  // Whatever parsed must re-serialise and parse again to the same value.
  const auto again = parse_strict(parsed->value.dump());
  if (!again || again->value != parsed->value) __builtin_trap();
  return 0;
}
