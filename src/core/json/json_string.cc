#include "core/json/json_string.h"

#include <array>
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

namespace {

// What follows the backslash of each byte's escape: the letter of a
// two-character escape, 'u' for \u00xx, 0 for bytes written as they are.
constexpr std::array<char, 256> kEscapeLetter = [] {
  std::array<char, 256> letter{};
  for (std::size_t c = 0; c < 0x20; ++c) letter[c] = 'u';
  letter['"'] = '"';
  letter['\\'] = '\\';
  letter['\b'] = 'b';
  letter['\f'] = 'f';
  letter['\n'] = 'n';
  letter['\r'] = 'r';
  letter['\t'] = 't';
  return letter;
}();

// The bytes an escape adds to the one it replaces.
std::size_t escape_extra(unsigned char c) {
  const char letter = kEscapeLetter[c];
  return letter == 0 ? 0 : (letter == 'u' ? 5 : 1);
}

std::size_t escaped_extra(std::string_view text) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  std::size_t extra = 0;
  std::size_t i = 0;
  for (; text.size() - i >= 8; i += 8) {
    if (!word_may_need_escape(load_word(text.data() + i))) continue;
    for (std::size_t k = i; k < i + 8; ++k) extra += escape_extra(bytes[k]);
  }
  for (; i < text.size(); ++i) extra += escape_extra(bytes[i]);
  return extra;
}

// Writes byte `c` as it is or escaped; returns the position after it.
char* write_byte(char* to, unsigned char c) {
  static constexpr char kHex[] = "0123456789abcdef";
  const char letter = kEscapeLetter[c];
  if (letter == 0) {
    *to++ = static_cast<char>(c);
    return to;
  }
  *to++ = '\\';
  *to++ = letter;
  if (letter == 'u') {
    *to++ = '0';
    *to++ = '0';
    *to++ = kHex[c >> 4U];
    *to++ = kHex[c & 0x0FU];
  }
  return to;
}

}  // namespace

// A JSON string of valid UTF-8 as dump() writes it with ensure_ascii off:
// the two-character escapes for '"', '\\', \b, \f, \n, \r, \t, \u00xx
// (lower-case hex) for the other bytes below 0x20, everything else as is.
// Written by hand because nlohmann escapes only inside a whole document dump,
// which cost most of an append's CPU. The size is counted first so the bytes
// are stored through a pointer: a request summary is JSON inside a JSON
// string, with an escape every few bytes, and appending piece by piece cost
// a refused create's record 34 k instructions where this costs 8 k
// (callgrind).
void append_json_string(std::string& out, std::string_view text) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t extra = escaped_extra(text);
  const std::size_t start = out.size();
  out.resize(start + text.size() + extra + 2);
  char* to = out.data() + start;
  *to++ = '"';
  if (extra == 0) {
    if (!text.empty()) std::memcpy(to, text.data(), text.size());
    to += text.size();
  } else {
    std::size_t i = 0;
    for (; text.size() - i >= 8; i += 8) {
      const std::uint64_t word = load_word(text.data() + i);
      if (word_may_need_escape(word)) {
        for (std::size_t k = i; k < i + 8; ++k) to = write_byte(to, bytes[k]);
      } else {
        std::memcpy(to, &word, sizeof word);
        to += sizeof word;
      }
    }
    for (; i < text.size(); ++i) to = write_byte(to, bytes[i]);
  }
  *to = '"';
}

}  // namespace moat::core::json
