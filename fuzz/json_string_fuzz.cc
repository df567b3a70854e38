// Differential fuzzing of the hand-written JSON string writer against
// nlohmann: the UTF-8 check must agree with what nlohmann's dump accepts, and
// for every accepted input the written string must be dump()'s bytes. The
// one-scan plain path must take exactly the text dump() writes as it is
// (ASCII, nothing escaped), and write the same bytes.
#include <algorithm>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "core/json/json_string.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::string expected;
  bool library_accepts = true;
  try {
    expected = nlohmann::json(text).dump();
  } catch (const nlohmann::json::type_error&) {
    library_accepts = false;
  }
  if (moat::core::json::is_valid_utf8(text) != library_accepts) __builtin_trap();
  std::string plain;
  const bool ascii =
      std::none_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
  const bool taken = moat::core::json::append_plain_json_string(plain, text);
  if (taken != (ascii && library_accepts && expected == "\"" + text + "\"")) __builtin_trap();
  if (taken && plain != expected) __builtin_trap();
  if (!taken && !plain.empty()) __builtin_trap();
  if (!library_accepts) return 0;
  std::string written;
  moat::core::json::append_json_string(written, text);
  if (written != expected) __builtin_trap();
  return 0;
}
