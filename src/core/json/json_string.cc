#include "core/json/json_string.h"

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>

namespace moat::core::json {
namespace {

constexpr std::uint64_t kEveryByte = 0x0101010101010101ULL;
constexpr std::uint64_t kHighBits = 0x8080808080808080ULL;
constexpr std::uint64_t kLowSevenBits = 0x7F7F7F7F7F7F7F7FULL;

std::uint64_t load_word(const char* at) {
  std::uint64_t word = 0;
  std::memcpy(&word, at, sizeof word);
  return word;
}

// The masks below set the high bit of exactly the bytes that match, in
// memory order within the word, with no borrow or carry from one byte into
// the next (the "exact zero byte" word trick: the low seven bits plus 0x7F
// reach the high bit unless they are all zero).
std::uint64_t bytes_equal_to(std::uint64_t word, unsigned char c) {
  const std::uint64_t x = word ^ (kEveryByte * c);
  return ~(((x & kLowSevenBits) + kLowSevenBits) | x) & kHighBits;
}

// Bytes below 0x20: high bit clear, and the low seven bits plus 0x60 stay
// below 0x80.
std::uint64_t bytes_below_space(std::uint64_t word) {
  return ~(((word & kLowSevenBits) + kEveryByte * 0x60U) | word) & kHighBits;
}

// '"' and '\\', the bytes with two-character escapes that JSON text is
// full of (a request summary is JSON inside a JSON string).
std::uint64_t quote_bytes(std::uint64_t word) {
  return bytes_equal_to(word, '"') | bytes_equal_to(word, '\\');
}

// Every byte that needs an escape: the word-at-a-time form of kEscapeLetter.
std::uint64_t bytes_to_escape(std::uint64_t word) { return quote_bytes(word) | bytes_below_space(word); }

// Which byte of the word the lowest flagged one is, in memory order.
std::size_t first_flagged(std::uint64_t mask) {
  const int zeros = std::endian::native == std::endian::little ? std::countr_zero(mask) : std::countl_zero(mask);
  return static_cast<std::size_t>(zeros) / 8;
}

// How many bytes the mask flags: each byte of mask >> 7 is 0 or 1, and the
// multiplication sums them into the top byte (a plain popcount is a library
// call without the POPCNT instruction, which x86-64's baseline lacks).
std::size_t count_flagged(std::uint64_t mask) {
  return static_cast<std::size_t>(((mask >> 7) * kEveryByte) >> 56);
}

// The word's bytes from byte `from` (below 8) on, moved to its start.
std::uint64_t bytes_from(std::uint64_t word, std::size_t from) {
  if constexpr (std::endian::native == std::endian::little) return word >> (8 * from);
  return word << (8 * from);
}

void store_word(char* at, std::uint64_t word) { std::memcpy(at, &word, sizeof word); }

std::uint64_t without_first_flagged(std::uint64_t mask) {
  if constexpr (std::endian::native == std::endian::little) return mask & (mask - 1);
  return mask & ~(std::uint64_t{1} << (63 - std::countl_zero(mask)));
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
    const std::uint64_t word = load_word(text.data() + i);
    if (bytes_below_space(word) == 0) {
      extra += count_flagged(quote_bytes(word));
      continue;
    }
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
  const std::size_t end = start + text.size() + extra + 2;
  if (extra == 0) {
    out.resize(end);
    char* to = out.data() + start;
    *to++ = '"';
    if (!text.empty()) std::memcpy(to, text.data(), text.size());
    to[text.size()] = '"';
    return;
  }
  // Eight bytes of slack: the run before each escape is stored as a whole
  // word, whose bytes past the run the next store overwrites.
  out.resize(end + 8);
  char* to = out.data() + start;
  *to++ = '"';
  std::size_t i = 0;
  for (; text.size() - i >= 8; i += 8) {
    const std::uint64_t word = load_word(text.data() + i);
    // Runs between escapes go as words: byte by byte, escaping a refused
    // create's summary (JSON inside a JSON string) took 6.6 k instructions,
    // so 5.6 k (callgrind).
    std::uint64_t escapes = bytes_to_escape(word);
    std::size_t from = 0;
    while (escapes != 0) {
      const std::size_t at = first_flagged(escapes);
      store_word(to, bytes_from(word, from));
      to = write_byte(to + (at - from), bytes[i + at]);
      from = at + 1;
      escapes = without_first_flagged(escapes);
    }
    if (from < 8) {
      store_word(to, bytes_from(word, from));
      to += 8 - from;
    }
  }
  for (; i < text.size(); ++i) to = write_byte(to, bytes[i]);
  *to = '"';
  out.resize(end);
}

bool append_plain_json_string(std::string& out, std::string_view text) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  std::size_t i = 0;
  for (; text.size() - i >= 8; i += 8) {
    const std::uint64_t word = load_word(text.data() + i);
    if ((word & kHighBits) != 0 || bytes_to_escape(word) != 0) return false;
  }
  for (; i < text.size(); ++i) {
    if (bytes[i] >= 0x80 || kEscapeLetter[bytes[i]] != 0) return false;
  }
  out.push_back('"');
  out.append(text);
  out.push_back('"');
  return true;
}

}  // namespace moat::core::json
