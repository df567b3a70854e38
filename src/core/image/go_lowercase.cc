#include "core/image/go_lowercase.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <iterator>

namespace moat::core::image::detail {
namespace {

struct Decoded {
  char32_t rune = 0;
  std::size_t width = 1;
  bool valid = false;
};

// One code point, decoded with the same acceptance rules as Go's
// utf8.DecodeRuneInString: an invalid or truncated sequence yields one
// invalid byte, and decoding resumes at the next byte.
Decoded decode_utf8(std::string_view s, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<std::uint8_t>(s[k]); };
  const std::uint8_t b0 = byte(i);
  if (b0 < 0x80) return {b0, 1, true};
  std::size_t need = 0;
  std::uint8_t lo = 0x80;
  std::uint8_t hi = 0xBF;
  char32_t rune = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    need = 1;
    rune = b0 & 0x1FU;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    need = 2;
    rune = b0 & 0x0FU;
    if (b0 == 0xE0) lo = 0xA0;  // overlong
    if (b0 == 0xED) hi = 0x9F;  // surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    need = 3;
    rune = b0 & 0x07U;
    if (b0 == 0xF0) lo = 0x90;  // overlong
    if (b0 == 0xF4) hi = 0x8F;  // above U+10FFFF
  } else {
    return {};
  }
  if (s.size() - i <= need) return {};
  for (std::size_t k = 1; k <= need; ++k) {
    const std::uint8_t b = byte(i + k);
    const std::uint8_t min = k == 1 ? lo : std::uint8_t{0x80};
    const std::uint8_t max = k == 1 ? hi : std::uint8_t{0xBF};
    if (b < min || b > max) return {};
    rune = (rune << 6U) | (b & 0x3FU);
  }
  return {rune, need + 1, true};
}

// Code points whose Unicode simple lowercase mapping differs from themselves,
// as runs {first, last, step}: every step-th code point from first to last.
// Derived from UnicodeData.txt of Unicode 14.0; regenerate when Go's unicode
// tables gain case pairs. ASCII is handled separately.
struct Run {
  char32_t first;
  char32_t last;
  char32_t step;
};
constexpr std::array<Run, 125> kLowerable = {{
    {0x00C0, 0x00D6, 1}, {0x00D8, 0x00DE, 1}, {0x0100, 0x0136, 2}, {0x0139, 0x0147, 2},
    {0x014A, 0x0178, 2}, {0x0179, 0x017D, 2}, {0x0181, 0x0182, 1}, {0x0184, 0x0186, 2},
    {0x0187, 0x0189, 2}, {0x018A, 0x018B, 1}, {0x018E, 0x0191, 1}, {0x0193, 0x0194, 1},
    {0x0196, 0x0198, 1}, {0x019C, 0x019D, 1}, {0x019F, 0x01A0, 1}, {0x01A2, 0x01A6, 2},
    {0x01A7, 0x01A9, 2}, {0x01AC, 0x01AE, 2}, {0x01AF, 0x01B1, 2}, {0x01B2, 0x01B3, 1},
    {0x01B5, 0x01B7, 2}, {0x01B8, 0x01B8, 1}, {0x01BC, 0x01BC, 1}, {0x01C4, 0x01C5, 1},
    {0x01C7, 0x01C8, 1}, {0x01CA, 0x01CB, 1}, {0x01CD, 0x01DB, 2}, {0x01DE, 0x01EE, 2},
    {0x01F1, 0x01F2, 1}, {0x01F4, 0x01F6, 2}, {0x01F7, 0x01F8, 1}, {0x01FA, 0x0232, 2},
    {0x023A, 0x023B, 1}, {0x023D, 0x023E, 1}, {0x0241, 0x0243, 2}, {0x0244, 0x0246, 1},
    {0x0248, 0x024E, 2}, {0x0370, 0x0372, 2}, {0x0376, 0x0376, 1}, {0x037F, 0x037F, 1},
    {0x0386, 0x0388, 2}, {0x0389, 0x038A, 1}, {0x038C, 0x038E, 2}, {0x038F, 0x0391, 2},
    {0x0392, 0x03A1, 1}, {0x03A3, 0x03AB, 1}, {0x03CF, 0x03CF, 1}, {0x03D8, 0x03EE, 2},
    {0x03F4, 0x03F4, 1}, {0x03F7, 0x03F9, 2}, {0x03FA, 0x03FA, 1}, {0x03FD, 0x042F, 1},
    {0x0460, 0x0480, 2}, {0x048A, 0x04C0, 2}, {0x04C1, 0x04CD, 2}, {0x04D0, 0x052E, 2},
    {0x0531, 0x0556, 1}, {0x10A0, 0x10C5, 1}, {0x10C7, 0x10C7, 1}, {0x10CD, 0x10CD, 1},
    {0x13A0, 0x13F5, 1}, {0x1C90, 0x1CBA, 1}, {0x1CBD, 0x1CBF, 1}, {0x1E00, 0x1E94, 2},
    {0x1E9E, 0x1EFE, 2}, {0x1F08, 0x1F0F, 1}, {0x1F18, 0x1F1D, 1}, {0x1F28, 0x1F2F, 1},
    {0x1F38, 0x1F3F, 1}, {0x1F48, 0x1F4D, 1}, {0x1F59, 0x1F5F, 2}, {0x1F68, 0x1F6F, 1},
    {0x1F88, 0x1F8F, 1}, {0x1F98, 0x1F9F, 1}, {0x1FA8, 0x1FAF, 1}, {0x1FB8, 0x1FBC, 1},
    {0x1FC8, 0x1FCC, 1}, {0x1FD8, 0x1FDB, 1}, {0x1FE8, 0x1FEC, 1}, {0x1FF8, 0x1FFC, 1},
    {0x2126, 0x2126, 1}, {0x212A, 0x212B, 1}, {0x2132, 0x2132, 1}, {0x2160, 0x216F, 1},
    {0x2183, 0x2183, 1}, {0x24B6, 0x24CF, 1}, {0x2C00, 0x2C2F, 1}, {0x2C60, 0x2C62, 2},
    {0x2C63, 0x2C64, 1}, {0x2C67, 0x2C6D, 2}, {0x2C6E, 0x2C70, 1}, {0x2C72, 0x2C72, 1},
    {0x2C75, 0x2C75, 1}, {0x2C7E, 0x2C80, 1}, {0x2C82, 0x2CE2, 2}, {0x2CEB, 0x2CED, 2},
    {0x2CF2, 0x2CF2, 1}, {0xA640, 0xA66C, 2}, {0xA680, 0xA69A, 2}, {0xA722, 0xA72E, 2},
    {0xA732, 0xA76E, 2}, {0xA779, 0xA77D, 2}, {0xA77E, 0xA786, 2}, {0xA78B, 0xA78D, 2},
    {0xA790, 0xA792, 2}, {0xA796, 0xA7AA, 2}, {0xA7AB, 0xA7AE, 1}, {0xA7B0, 0xA7B4, 1},
    {0xA7B6, 0xA7C4, 2}, {0xA7C5, 0xA7C7, 1}, {0xA7C9, 0xA7C9, 1}, {0xA7D0, 0xA7D0, 1},
    {0xA7D6, 0xA7D8, 2}, {0xA7F5, 0xA7F5, 1}, {0xFF21, 0xFF3A, 1}, {0x10400, 0x10427, 1},
    {0x104B0, 0x104D3, 1}, {0x10570, 0x1057A, 1}, {0x1057C, 0x1058A, 1}, {0x1058C, 0x10592, 1},
    {0x10594, 0x10595, 1}, {0x10C80, 0x10CB2, 1}, {0x118A0, 0x118BF, 1}, {0x16E40, 0x16E5F, 1},
    {0x1E900, 0x1E921, 1},
}};

bool has_lowercase_mapping(char32_t rune) {
  // Last run starting at or before rune.
  const auto after = std::upper_bound(
      kLowerable.begin(), kLowerable.end(), rune,
      [](char32_t r, const Run& run) { return r < run.first; });
  if (after == kLowerable.begin()) return false;
  const Run& run = *std::prev(after);
  return rune <= run.last && (rune - run.first) % run.step == 0;
}

}  // namespace

bool go_lower_changes(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (c >= 'A' && c <= 'Z') return true;
    const Decoded d = decode_utf8(text, i);
    // Go rewrites an invalid byte as U+FFFD, which changes the string.
    if (!d.valid) return true;
    if (d.rune >= 0x80 && has_lowercase_mapping(d.rune)) return true;
    i += d.width;
  }
  return false;
}

std::string go_lower_for_matching(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (c >= 'A' && c <= 'Z') {
      out.push_back(static_cast<char>(c - 'A' + 'a'));
      ++i;
      continue;
    }
    const Decoded d = decode_utf8(text, i);
    if (d.valid && d.rune == U'\u0130') {
      out.push_back('i');  // LATIN CAPITAL LETTER I WITH DOT ABOVE
    } else if (d.valid && d.rune == U'\u212A') {
      out.push_back('k');  // KELVIN SIGN
    } else {
      out.append(text.substr(i, d.width));
    }
    i += d.width;
  }
  return out;
}

}  // namespace moat::core::image::detail
