#include "core/audit/audit_time.h"

#include <array>
#include <cstring>

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
  // The text up to the seconds is kept for the second it was last written
  // in: the records of a second share it (callgrind, per /_ping record:
  // 249 instructions with every digit written, 84 so).
  struct SecondText {
    sys_seconds second{sys_seconds::min()};
    std::array<char, 19> text{};  // "YYYY-MM-DDTHH:MM:SS"
  };
  thread_local SecondText last;
  const auto second = floor<seconds>(time);
  // Digits written in place: every audit record formats its time, and
  // snprintf's format parsing cost as much as the rest of the line.
  const auto put = [](char* at, long long value, std::size_t width) {
    auto v = static_cast<unsigned long long>(value < 0 ? 0 : value);
    for (std::size_t i = 1; i <= width; ++i, v /= 10) at[width - i] = static_cast<char>('0' + v % 10);
  };
  if (second != last.second) {
    const auto day = floor<days>(second);
    const year_month_day date{day};
    const hh_mm_ss<seconds> clock{second - day};
    char* text = last.text.data();
    std::memcpy(text, "0000-00-00T00:00:00", last.text.size());
    put(text, static_cast<int>(date.year()), 4);
    put(text + 5, static_cast<unsigned>(date.month()), 2);
    put(text + 8, static_cast<unsigned>(date.day()), 2);
    put(text + 11, clock.hours().count(), 2);
    put(text + 14, clock.minutes().count(), 2);
    put(text + 17, clock.seconds().count(), 2);
    last.second = second;
  }
  std::array<char, 24> text{};
  std::memcpy(text.data(), last.text.data(), last.text.size());
  text[19] = '.';
  put(text.data() + 20, (time - second).count(), 3);
  text[23] = 'Z';
  out.append(text.data(), text.size());
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
