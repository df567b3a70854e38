#include "core/audit/audit_time.h"

#include <array>
#include <ctime>
#include <string>

#include <gtest/gtest.h>

namespace moat::core::audit {
namespace {

using namespace std::chrono;

TEST(AuditTime, FormatsUtcWithMilliseconds) {
  const Timestamp time = Timestamp{sys_days{2026y / August / 1}} + hours{9} + minutes{5} +
                         seconds{7} + milliseconds{42};
  EXPECT_EQ(format_time(time), "2026-08-01T09:05:07.042Z");
  EXPECT_EQ(format_time(Timestamp{}), "1970-01-01T00:00:00.000Z");
}

// append_time keeps the text of the last second it wrote: a time in the
// same second, the next, an earlier one or another day must each read as
// the calendar (gmtime) says, whatever was written before it.
TEST(AuditTime, EachTimeReadsAsTheCalendarSaysWhateverWasWrittenBefore) {
  const Timestamp base = Timestamp{sys_days{2026y / December / 31}} + hours{23} + minutes{59} + seconds{59};
  const auto calendar = [](Timestamp time) {
    const std::time_t whole = system_clock::to_time_t(floor<seconds>(time));
    std::tm parts{};
    gmtime_r(&whole, &parts);
    std::array<char, 32> text{};
    std::strftime(text.data(), text.size(), "%Y-%m-%dT%H:%M:%S", &parts);
    const auto millis = (time - floor<seconds>(time)).count();
    return std::string(text.data()) + "." + std::to_string(1000 + millis).substr(1) + "Z";
  };
  for (const Timestamp time : {base, base + milliseconds{1}, base + milliseconds{999}, base + seconds{1},
                               base - seconds{1}, base, base + days{59}, base + milliseconds{1001}}) {
    std::string out = "x";
    append_time(out, time);
    EXPECT_EQ(out, "x" + calendar(time));
  }
}

TEST(AuditTime, TruncatesToMilliseconds) {
  const auto precise = system_clock::time_point(microseconds(1'500'999));
  EXPECT_EQ(format_time(to_timestamp(precise)), "1970-01-01T00:00:01.500Z");
}

TEST(AuditTime, ParsesWhatItFormats) {
  for (const char* text : {"2026-08-01T09:05:07.042Z", "2024-02-29T23:59:59.999Z",
                           "0000-01-01T00:00:00.000Z", "9999-12-31T23:59:59.999Z"}) {
    const auto parsed = parse_time(text);
    ASSERT_TRUE(parsed) << text << ": " << parsed.error().message;
    EXPECT_EQ(format_time(*parsed), text);
  }
}

TEST(AuditTime, RefusesOtherSpellings) {
  for (const char* text :
       {"2026-08-01T09:05:07Z", "2026-08-01T09:05:07.04Z", "2026-08-01T09:05:07.042+00:00",
        "2026-08-01t09:05:07.042Z", "2026-08-01T09:05:07.042z", "2026-08-01 09:05:07.042Z",
        "2025-02-29T00:00:00.000Z", "2026-13-01T00:00:00.000Z", "2026-00-01T00:00:00.000Z",
        "2026-08-01T24:00:00.000Z", "2026-08-01T23:60:00.000Z", "2026-08-01T23:59:60.000Z",
        "+026-08-01T09:05:07.042Z", "2026-08-01T09:05:07.042Z ", ""}) {
    EXPECT_FALSE(parse_time(text)) << text;
  }
  const auto refused = parse_time("2026-08-01T09:05:07Z");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, AuditErrc::kMalformedLine);
  EXPECT_EQ(refused.error().message,
            "time \"2026-08-01T09:05:07Z\" is not RFC 3339 UTC with milliseconds "
            "(YYYY-MM-DDTHH:MM:SS.mmmZ)");
}

}  // namespace
}  // namespace moat::core::audit
