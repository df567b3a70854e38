#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/image/image_ref.h"

namespace {

bool has_ascii_upper(std::string_view text) {
  for (const char c : text) {
    if (c >= 'A' && c <= 'Z') return true;
  }
  return false;
}

// A registry key is lower case and already canonical.
bool is_stable_key(std::string_view key) {
  return !has_ascii_upper(key) && moat::core::image::canonical_registry(key) == key;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using moat::core::image::canonical_registry;
  using moat::core::image::parse_canonical_image_ref;
  using moat::core::image::parse_image_ref;

  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (!is_stable_key(canonical_registry(text))) __builtin_trap();

  const auto ref = parse_image_ref(text);
  if (!ref) {
    if (ref.error().message.empty()) __builtin_trap();
    return 0;
  }
  if (ref->path.empty() || ref->path.size() > 255) __builtin_trap();
  if (ref->tag && (ref->tag->empty() || ref->tag->size() > 128)) __builtin_trap();
  if (!is_stable_key(ref->registry())) __builtin_trap();

  // What the engine would pull reads back as the same reference.
  const auto again = parse_image_ref(ref->normalized());
  if (!again || again->normalized() != ref->normalized()) __builtin_trap();
  if (again->domain != ref->domain || again->path != ref->path ||
      again->digest != ref->digest || again->registry() != ref->registry()) {
    __builtin_trap();
  }
  const bool implied_latest = !ref->tag && !ref->digest;
  if (implied_latest ? again->tag != std::string("latest") : again->tag != ref->tag) {
    __builtin_trap();
  }

  // The engine's own String() form is canonical by definition.
  const auto canonical = parse_canonical_image_ref(ref->to_string());
  if (!canonical || canonical->to_string() != ref->to_string()) __builtin_trap();
  return 0;
}
