#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/json/strict_json.h"
#include "core/json/top_level_scalars.h"

// Whatever parse_strict reads as an object, top_level_scalars must read too,
// with the same values for the members it is asked for; it may accept more
// (duplicate keys below the top level), never less.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  static constexpr std::array<std::string_view, 3> kKeys{"init_process_pid", "init_process_start", "a"};
  const auto picked = moat::core::json::top_level_scalars(text, kKeys);
  const auto strict = moat::core::json::parse_strict(text);
  if (!strict || !strict->value.is_object()) return 0;
  bool all_single = true;
  for (const auto key : kKeys) {
    const auto it = strict->value.find(std::string(key));
    if (it != strict->value.end() && it->is_structured()) all_single = false;
  }
  if (!all_single) {
    if (picked) __builtin_trap();
    return 0;
  }
  if (!picked) __builtin_trap();
  for (const auto& [name, value] : picked->items()) {
    if (std::find(kKeys.begin(), kKeys.end(), name) == kKeys.end()) __builtin_trap();
  }
  for (const auto key : kKeys) {
    const std::string name(key);
    if (strict->value.contains(name) != picked->contains(name)) __builtin_trap();
    if (strict->value.contains(name) && strict->value[name] != (*picked)[name]) __builtin_trap();
  }
  return 0;
}
