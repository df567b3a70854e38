#include "core/audit/audit_time.h"

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
  std::string out;
  append_time(out, time);
  return out;
}

void append_time(std::string& out, Timestamp time) {
  using namespace std::chrono;
  const auto day = floor<days>(time);
  const year_month_day date{day};
  const hh_mm_ss<milliseconds> clock{time - day};
  // Digits written in place: every audit record formats its time, and
  // snprintf's format parsing cost as much as the rest of the line.
  const std::size_t start = out.size();
  out.append("0000-00-00T00:00:00.000Z");
  const auto put = [&out, start](std::size_t end, long long value, std::size_t width) {
    auto v = static_cast<unsigned long long>(value < 0 ? 0 : value);
    for (std::size_t i = 0; i < width; ++i, v /= 10) out[start + end - i] = static_cast<char>('0' + v % 10);
  };
  put(3, static_cast<int>(date.year()), 4);
  put(6, static_cast<unsigned>(date.month()), 2);
  put(9, static_cast<unsigned>(date.day()), 2);
  put(12, clock.hours().count(), 2);
  put(15, clock.minutes().count(), 2);
  put(18, clock.seconds().count(), 2);
  put(22, clock.subseconds().count(), 3);
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
