#include "core/audit/audit_time.h"

#include <array>
#include <cstdio>

namespace moat::core::audit {
namespace {

// Reads exactly `width` ASCII digits at text[pos...].
bool read_digits(std::string_view text, std::size_t pos, std::size_t width, unsigned& out) {
  unsigned value = 0;
  for (std::size_t i = pos; i < pos + width; ++i) {
    const char c = text[i];
    if (c < '0' || c > '9') return false;
    value = value * 10U + static_cast<unsigned>(c - '0');
  }
  out = value;
  return true;
}

}  // namespace

Timestamp to_timestamp(std::chrono::system_clock::time_point time) {
  return std::chrono::floor<std::chrono::milliseconds>(time);
}

std::string format_time(Timestamp time) {
  using namespace std::chrono;
  const auto day = floor<days>(time);
  const year_month_day date{day};
  const hh_mm_ss<milliseconds> clock{time - day};
  std::array<char, 48> buffer{};
  std::snprintf(buffer.data(), buffer.size(), "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ",
                static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                static_cast<unsigned>(date.day()), static_cast<int>(clock.hours().count()),
                static_cast<int>(clock.minutes().count()),
                static_cast<int>(clock.seconds().count()),
                static_cast<int>(clock.subseconds().count()));
  return std::string(buffer.data());
}

Result<Timestamp, AuditError> parse_time(std::string_view text) {
  using namespace std::chrono;
  const auto refuse = [&] {
    return audit_fail(AuditErrc::kMalformedLine,
                      "time \"" + std::string(text) +
                          "\" is not RFC 3339 UTC with milliseconds (YYYY-MM-DDTHH:MM:SS.mmmZ)");
  };
  // YYYY-MM-DDTHH:MM:SS.mmmZ
  if (text.size() != 24 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
      text[16] != ':' || text[19] != '.' || text[23] != 'Z') {
    return refuse();
  }
  unsigned y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, ms = 0;
  if (!read_digits(text, 0, 4, y) || !read_digits(text, 5, 2, mo) || !read_digits(text, 8, 2, d) ||
      !read_digits(text, 11, 2, h) || !read_digits(text, 14, 2, mi) ||
      !read_digits(text, 17, 2, s) || !read_digits(text, 20, 3, ms)) {
    return refuse();
  }
  const year_month_day date{year{static_cast<int>(y)}, month{mo}, day{d}};
  if (!date.ok() || h > 23 || mi > 59 || s > 59) return refuse();
  return Timestamp{sys_days{date}} + hours{h} + minutes{mi} + seconds{s} + milliseconds{ms};
}

}  // namespace moat::core::audit
