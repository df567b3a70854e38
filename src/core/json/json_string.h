#pragma once
// JSON text written by hand where a whole nlohmann document would cost the
// request path too much (audit lines, audit summaries). Both produce exactly
// the bytes nlohmann's dump() writes (ensure_ascii off).

#include <array>
#include <charconv>
#include <concepts>
#include <string>
#include <string_view>

namespace moat::core::json {

// Well-formed UTF-8: the ranges of Unicode Table 3-7, which is what
// nlohmann's decoder accepts.
bool is_valid_utf8(std::string_view text);

// Appends `utf8` (which must be well-formed UTF-8) as a quoted JSON string:
// the two-character escapes for '"', '\\', \b, \f, \n, \r, \t, \u00xx
// (lower-case hex) for the other bytes below 0x20, everything else as is.
void append_json_string(std::string& out, std::string_view utf8);

// The common case of both above in one scan: when every byte of `text` is
// printable ASCII other than '"' and '\\' (nothing to check, nothing to
// escape), appends it quoted and returns true; otherwise appends nothing and
// returns false.
bool append_plain_json_string(std::string& out, std::string_view text);

// Appends an integer in decimal, as JSON numbers and API paths ("v1.41")
// spell it, without a temporary string.
template <std::integral Integer>
void append_decimal(std::string& out, Integer number) {
  std::array<char, 24> digits{};  // a 64-bit integer has at most 20, and a sign
  out.append(digits.data(), std::to_chars(digits.data(), digits.data() + digits.size(), number).ptr);
}

}  // namespace moat::core::json
