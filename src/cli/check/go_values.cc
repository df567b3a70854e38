#include "cli/check/go_values.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <limits>

namespace moat::cli::check {
namespace {

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

int digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  const char l = lower(c);
  if (l >= 'a' && l <= 'z') return l - 'a' + 10;
  return 99;
}

// Magnitude of unsigned digits in a base, with Go's '_' rule for prefixed
// numbers: only between digits.
std::optional<std::uint64_t> parse_magnitude(std::string_view digits, int base, bool underscores) {
  if (digits.empty()) return std::nullopt;
  std::uint64_t value = 0;
  bool previous_digit = false;
  for (const char c : digits) {
    if (c == '_' && underscores) {
      if (!previous_digit) return std::nullopt;
      previous_digit = false;
      continue;
    }
    const int d = digit_value(c);
    if (d >= base) return std::nullopt;
    if (value > (std::numeric_limits<std::uint64_t>::max() - static_cast<std::uint64_t>(d)) /
                    static_cast<std::uint64_t>(base)) {
      return std::nullopt;
    }
    value = value * static_cast<std::uint64_t>(base) + static_cast<std::uint64_t>(d);
    previous_digit = true;
  }
  if (underscores && !previous_digit) return std::nullopt;
  return value;
}

std::optional<std::int64_t> apply_sign(std::uint64_t magnitude, bool negative) {
  constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (negative) {
    if (magnitude > kMax + 1) return std::nullopt;
    if (magnitude == kMax + 1) return std::numeric_limits<std::int64_t>::min();
    return -static_cast<std::int64_t>(magnitude);
  }
  if (magnitude > kMax) return std::nullopt;
  return static_cast<std::int64_t>(magnitude);
}

// Go's decimal float syntax, enough for sizes: digits, one '.', an exponent.
std::optional<double> parse_go_float(std::string_view text) {
  if (text.empty()) return std::nullopt;
  for (const char c : text) {
    if (std::string_view("0123456789.eE+-").find(c) == std::string_view::npos) return std::nullopt;
  }
  const std::string copy(text);
  char* end = nullptr;
  const double value = std::strtod(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size()) return std::nullopt;
  return value;
}

std::string ipv6_text(const std::array<unsigned char, 16>& bytes) {
  std::array<unsigned, 8> groups{};
  for (std::size_t i = 0; i < 8; ++i) {
    groups[i] = static_cast<unsigned>(bytes[2 * i] << 8U) | bytes[2 * i + 1];
  }
  // The longest run of two or more zero groups becomes "::" (the first on a tie).
  std::size_t best_start = 8;
  std::size_t best_length = 1;
  for (std::size_t i = 0; i < 8;) {
    if (groups[i] != 0) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < 8 && groups[j] == 0) ++j;
    if (j - i > best_length) {
      best_start = i;
      best_length = j - i;
    }
    i = j;
  }
  std::string out;
  for (std::size_t i = 0; i < 8; ++i) {
    if (i == best_start) {
      out += "::";
      i += best_length - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out += ':';
    char buffer[8];
    std::snprintf(buffer, sizeof buffer, "%x", groups[i]);
    out += buffer;
  }
  return out;
}

}  // namespace

std::optional<bool> parse_go_bool(std::string_view text) {
  static constexpr std::array<std::string_view, 6> kTrue = {"1", "t", "T", "TRUE", "true", "True"};
  static constexpr std::array<std::string_view, 6> kFalse = {"0", "f", "F", "FALSE", "false", "False"};
  if (std::find(kTrue.begin(), kTrue.end(), text) != kTrue.end()) return true;
  if (std::find(kFalse.begin(), kFalse.end(), text) != kFalse.end()) return false;
  return std::nullopt;
}

std::optional<std::int64_t> parse_go_int(std::string_view text) {
  if (text.empty()) return std::nullopt;
  bool negative = false;
  if (text[0] == '+' || text[0] == '-') {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  if (text.empty()) return std::nullopt;
  int base = 10;
  bool prefixed = false;
  if (text[0] == '0' && text.size() > 1) {
    prefixed = true;
    const char kind = lower(text[1]);
    if (text.size() >= 3 && (kind == 'x' || kind == 'o' || kind == 'b')) {
      base = kind == 'x' ? 16 : kind == 'o' ? 8 : 2;
      text.remove_prefix(2);
    } else {
      base = 8;
      text.remove_prefix(1);
    }
  }
  const auto magnitude = parse_magnitude(text, base, prefixed);
  if (!magnitude) return std::nullopt;
  return apply_sign(*magnitude, negative);
}

std::optional<std::int64_t> parse_decimal_int(std::string_view text) {
  if (text.empty()) return std::nullopt;
  bool negative = false;
  if (text[0] == '+' || text[0] == '-') {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  const auto magnitude = parse_magnitude(text, 10, false);
  if (!magnitude) return std::nullopt;
  return apply_sign(*magnitude, negative);
}

std::optional<std::uint16_t> parse_port_number(std::string_view text) {
  const auto magnitude = parse_magnitude(text, 10, false);
  if (!magnitude || *magnitude > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(*magnitude);
}

Result<std::int64_t, std::string> ram_in_bytes(std::string_view text) {
  const std::string invalid_size = "invalid size: '" + std::string(text) + "'";
  const std::size_t sep = text.find_last_of("0123456789. ");
  if (sep == std::string_view::npos) return unexpected(invalid_size);
  const std::string_view number = text[sep] == ' ' ? text.substr(0, sep) : text.substr(0, sep + 1);
  std::string suffix(text.substr(sep + 1));
  const auto size = parse_go_float(number);
  if (!size) {
    return unexpected("strconv.ParseFloat: parsing \"" + std::string(number) + "\": invalid syntax");
  }
  if (*size < 0) return unexpected(invalid_size);
  double bytes = *size;
  if (!suffix.empty()) {
    const std::string bad_suffix = "invalid suffix: '" + to_lower(suffix) + "'";
    if (suffix.size() > 3) return unexpected("invalid suffix: '" + suffix + "'");
    suffix = to_lower(suffix);
    if (suffix[0] == 'b') {
      if (suffix.size() > 1) return unexpected(bad_suffix);
    } else {
      const std::string_view units = "kmgtp";
      const std::size_t power = units.find(suffix[0]);
      if (power == std::string_view::npos) return unexpected(bad_suffix);
      for (std::size_t i = 0; i <= power; ++i) bytes *= 1024.0;
      if ((suffix.size() == 2 && suffix[1] != 'b') || (suffix.size() == 3 && suffix.substr(1) != "ib")) {
        return unexpected(bad_suffix);
      }
    }
  }
  // Go's conversion of an out-of-range float is undefined; refuse instead.
  if (bytes >= 9223372036854775807.0) return unexpected(invalid_size);
  return static_cast<std::int64_t>(bytes);
}

Result<std::int64_t, std::string> nano_cpus(std::string_view text) {
  const std::string not_rational = "failed to parse " + std::string(text) + " as a rational number";
  std::string_view rest = text;
  bool negative = false;
  if (!rest.empty() && (rest[0] == '+' || rest[0] == '-')) {
    negative = rest[0] == '-';
    rest.remove_prefix(1);
  }
  // digits[.digits][e[+-]digits]: mantissa digits and a power of ten.
  std::string mantissa;
  int scale = 0;  // value = mantissa * 10^scale
  std::size_t i = 0;
  bool dot = false;
  for (; i < rest.size() && (std::isdigit(static_cast<unsigned char>(rest[i])) || rest[i] == '.'); ++i) {
    if (rest[i] == '.') {
      if (dot) return unexpected(not_rational);
      dot = true;
      continue;
    }
    mantissa += rest[i];
    if (dot) --scale;
  }
  if (mantissa.empty()) return unexpected(not_rational);
  if (i < rest.size()) {
    if (lower(rest[i]) != 'e') return unexpected(not_rational);
    const auto exponent = parse_decimal_int(rest.substr(i + 1));
    if (!exponent || *exponent > 100 || *exponent < -100) return unexpected(not_rational);
    scale += static_cast<int>(*exponent);
  }
  scale += 9;  // billionths
  while (mantissa.size() > 1 && mantissa[0] == '0') mantissa.erase(0, 1);
  while (scale < 0) {
    if (mantissa.back() != '0') return unexpected(std::string("value is too precise"));
    mantissa.pop_back();
    if (mantissa.empty()) mantissa = "0";
    ++scale;
  }
  auto value = parse_magnitude(mantissa, 10, false);
  if (!value) return unexpected(std::string("value is out of range"));
  std::uint64_t v = *value;
  for (int k = 0; k < scale; ++k) {
    if (v != 0 && v > std::numeric_limits<std::uint64_t>::max() / 10) {
      return unexpected(std::string("value is out of range"));
    }
    v *= 10;
  }
  const auto signed_value = apply_sign(v, negative);
  if (!signed_value) return unexpected(std::string("value is out of range"));
  return *signed_value;
}

std::optional<std::string> canonical_ip(std::string_view text) {
  const std::string copy(text);
  std::array<unsigned char, 16> bytes{};
  if (::inet_pton(AF_INET, copy.c_str(), bytes.data()) == 1) {
    char out[INET_ADDRSTRLEN];
    ::inet_ntop(AF_INET, bytes.data(), out, sizeof out);
    return std::string(out);
  }
  if (::inet_pton(AF_INET6, copy.c_str(), bytes.data()) != 1) return std::nullopt;
  const bool v4_mapped = std::all_of(bytes.begin(), bytes.begin() + 10, [](unsigned char b) { return b == 0; }) &&
                         bytes[10] == 0xff && bytes[11] == 0xff;
  if (v4_mapped) {
    char out[INET_ADDRSTRLEN];
    ::inet_ntop(AF_INET, bytes.data() + 12, out, sizeof out);
    return std::string(out);
  }
  return ipv6_text(bytes);
}

Result<std::vector<std::string>, std::string> read_csv_record(std::string_view text) {
  // Go skips empty lines before a record.
  while (!text.empty() && (text[0] == '\n' || text.starts_with("\r\n"))) {
    text.remove_prefix(text[0] == '\n' ? 1 : 2);
  }
  if (text.empty()) return unexpected(std::string("EOF"));
  std::vector<std::string> fields;
  std::size_t i = 0;
  while (true) {
    std::string field;
    if (i < text.size() && text[i] == '"') {
      ++i;
      while (true) {
        if (i >= text.size()) {
          return unexpected("parse error on line 1, column " + std::to_string(i + 1) +
                            ": extraneous or missing \" in quoted-field");
        }
        if (text[i] == '"') {
          if (i + 1 < text.size() && text[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        field += text[i++];
      }
      if (i < text.size() && text[i] != ',' && text[i] != '\n' && !text.substr(i).starts_with("\r\n")) {
        return unexpected("parse error on line 1, column " + std::to_string(i + 1) +
                          ": extraneous or missing \" in quoted-field");
      }
    } else {
      while (i < text.size() && text[i] != ',' && text[i] != '\n') {
        if (text[i] == '"') {
          return unexpected("parse error on line 1, column " + std::to_string(i + 1) + ": bare \" in non-quoted-field");
        }
        field += text[i++];
      }
      if (i < text.size() && text[i] == '\n' && !field.empty() && field.back() == '\r') field.pop_back();
    }
    fields.push_back(std::move(field));
    if (i < text.size() && text[i] == ',') {
      ++i;
      continue;
    }
    return fields;
  }
}

std::string clean_path(std::string_view path) {
  if (path.empty()) return ".";
  const bool rooted = path[0] == '/';
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view part = path.substr(start, end - start);
    if (part.empty() || part == ".") {
      // nothing
    } else if (part == "..") {
      if (!parts.empty() && parts.back() != "..") {
        parts.pop_back();
      } else if (!rooted) {
        parts.push_back(part);
      }
    } else {
      parts.push_back(part);
    }
    start = end + 1;
  }
  std::string out = rooted ? "/" : "";
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += '/';
    out += parts[i];
  }
  if (out.empty()) return ".";
  return out;
}

std::string absolute_path(const std::string& working_directory, std::string_view path) {
  if (!path.empty() && path[0] == '/') return clean_path(path);
  return clean_path(working_directory + "/" + std::string(path));
}

namespace {

bool unreserved(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == '~';
}

std::string percent(char c) {
  char buffer[4];
  std::snprintf(buffer, sizeof buffer, "%%%02X", static_cast<unsigned>(static_cast<unsigned char>(c)));
  return buffer;
}

}  // namespace

std::string query_escape(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (unreserved(c)) {
      out += c;
    } else if (c == ' ') {
      out += '+';
    } else {
      out += percent(c);
    }
  }
  return out;
}

std::string path_escape(std::string_view segment) {
  std::string out;
  for (const char c : segment) {
    if (unreserved(c) || std::string_view("$&+,:;=@").find(c) != std::string_view::npos) {
      out += c;
    } else {
      out += percent(c);
    }
  }
  return out;
}

std::string go_json_marshal(const nlohmann::json& value) {
  const std::string text = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '<') {
      out += "\\u003c";
    } else if (c == '>') {
      out += "\\u003e";
    } else if (c == '&') {
      out += "\\u0026";
    } else if (c == '\xE2' && i + 2 < text.size() && text[i + 1] == '\x80' &&
               (text[i + 2] == '\xA8' || text[i + 2] == '\xA9')) {
      out += text[i + 2] == '\xA8' ? "\\u2028" : "\\u2029";
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

Cut cut(std::string_view text, char separator) {
  const std::size_t at = text.find(separator);
  if (at == std::string_view::npos) return {std::string(text), "", false};
  return {std::string(text.substr(0, at)), std::string(text.substr(at + 1)), true};
}

std::string to_lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string to_upper(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

}  // namespace moat::cli::check
