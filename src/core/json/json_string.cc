#include "core/json/json_string.h"

#include <cstdint>
#include <cstring>

namespace moat::core::json {
namespace {

constexpr std::uint64_t kEveryByte = 0x0101010101010101ULL;
constexpr std::uint64_t kHighBits = 0x8080808080808080ULL;

std::uint64_t load_word(const char* at) {
  std::uint64_t word = 0;
  std::memcpy(&word, at, sizeof word);
  return word;
}

// Whether any of eight bytes may need escaping: below 0x20, '"' or '\\'.
// Exact as a yes or no (the classic "has a byte less than n" and "has a zero
// byte" word tricks); the byte loop then finds which.
bool word_may_need_escape(std::uint64_t word) {
  const auto has_zero_byte = [](std::uint64_t v) { return (v - kEveryByte) & ~v & kHighBits; };
  const std::uint64_t below_space = (word - kEveryByte * 0x20U) & ~word & kHighBits;
  return (below_space | has_zero_byte(word ^ (kEveryByte * '"')) | has_zero_byte(word ^ (kEveryByte * '\\'))) != 0;
}

}  // namespace

bool is_valid_utf8(std::string_view text) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t size = text.size();
  std::size_t i = 0;
  while (i < size) {
    // Eight ASCII bytes at a time: most of a record is ASCII.
    if (size - i >= 8 && (load_word(text.data() + i) & kHighBits) == 0) {
      i += 8;
      continue;
    }
    const unsigned char lead = bytes[i];
    if (lead < 0x80) {
      ++i;
      continue;
    }
    std::size_t length = 0;
    unsigned char low = 0x80;  // bounds of the first continuation byte
    unsigned char high = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      if (lead == 0xE0) low = 0xA0;   // no overlong forms
      if (lead == 0xED) high = 0x9F;  // no surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      if (lead == 0xF0) low = 0x90;   // no overlong forms
      if (lead == 0xF4) high = 0x8F;  // nothing above U+10FFFF
    } else {
      return false;
    }
    if (size - i < length) return false;
    if (bytes[i + 1] < low || bytes[i + 1] > high) return false;
    for (std::size_t k = 2; k < length; ++k) {
      if (bytes[i + k] < 0x80 || bytes[i + k] > 0xBF) return false;
    }
    i += length;
  }
  return true;
}

// A JSON string of valid UTF-8 as dump() writes it with ensure_ascii off:
// the two-character escapes for '"', '\\', \b, \f, \n, \r, \t, \u00xx
// (lower-case hex) for the other bytes below 0x20, everything else as is.
// Written by hand, eight bytes at a time, because nlohmann escapes only
// inside a whole document dump, which cost most of an append's CPU.
void append_json_string(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  std::size_t plain_from = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text.size() - i >= 8 && !word_may_need_escape(load_word(text.data() + i))) {
      i += 7;
      continue;
    }
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(text.substr(plain_from, i - plain_from));
    plain_from = i + 1;
    out.push_back('\\');
    switch (c) {
      case '"':
      case '\\':
        out.push_back(static_cast<char>(c));
        break;
      case '\b':
        out.push_back('b');
        break;
      case '\f':
        out.push_back('f');
        break;
      case '\n':
        out.push_back('n');
        break;
      case '\r':
        out.push_back('r');
        break;
      case '\t':
        out.push_back('t');
        break;
      default:
        out.append("u00", 3);
        out.push_back(kHex[c >> 4U]);
        out.push_back(kHex[c & 0x0FU]);
        break;
    }
  }
  out.append(text.substr(plain_from));
  out.push_back('"');
}

}  // namespace moat::core::json
