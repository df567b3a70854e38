#include "core/json/json_string.h"

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace moat::core::json {
namespace {

// Every ASCII byte and a few multi-byte characters, at each offset within
// and across the eight-byte words the writer scans, must come out as
// nlohmann's dump writes them.
TEST(JsonString, WritesWhatTheJsonLibraryWritesWhereverEscapesFall) {
  std::vector<std::string> pieces;
  for (int byte = 0; byte < 0x80; ++byte) pieces.emplace_back(1, static_cast<char>(byte));
  for (const char* multi : {"\u00e9", "\u20ac", "\U0001F600", "\"\"\\\\\x01\x1f"}) pieces.emplace_back(multi);
  for (const std::string& piece : pieces) {
    for (std::size_t at = 0; at <= 17; ++at) {
      const std::string text = std::string(at, 'x') + piece + std::string(19 - at, 'y');
      std::string out = "prefix:";
      append_json_string(out, text);
      ASSERT_EQ(out, "prefix:" + nlohmann::json(text).dump()) << nlohmann::json(piece).dump() << " at " << at;
    }
  }
  std::string empty;
  append_json_string(empty, "");
  EXPECT_EQ(empty, "\"\"");
}

// The one-scan path takes exactly the strings that need neither a check nor
// an escape, writes them as the library does, and leaves the rest alone.
TEST(JsonString, PlainPathTakesOnlyWhatNeedsNoEscapeWhereverTheByteFalls) {
  for (int byte = 0; byte < 0x100; ++byte) {
    const bool plain = byte >= 0x20 && byte < 0x80 && byte != '"' && byte != '\\';
    for (std::size_t at = 0; at <= 17; ++at) {
      const std::string text = std::string(at, 'x') + static_cast<char>(byte) + std::string(19 - at, 'y');
      std::string out = "prefix:";
      ASSERT_EQ(append_plain_json_string(out, text), plain) << byte << " at " << at;
      ASSERT_EQ(out, plain ? "prefix:" + nlohmann::json(text).dump() : "prefix:") << byte << " at " << at;
    }
  }
  std::string empty;
  EXPECT_TRUE(append_plain_json_string(empty, ""));
  EXPECT_EQ(empty, "\"\"");
}

TEST(JsonString, Utf8CheckAcceptsWellFormedTextAtAnyOffset) {
  for (const char* good : {"", "plain ascii text, longer than a word", "\u00e9", "\u20ac", "\U0001F600",
                           "\xED\x9F\xBF", "\xF4\x8F\xBF\xBF"}) {
    for (std::size_t at = 0; at <= 9; ++at) {
      EXPECT_TRUE(is_valid_utf8(std::string(at, 'a') + good + "tail")) << good << " at " << at;
    }
  }
}

TEST(JsonString, Utf8CheckRefusesWhatTheJsonLibraryWouldReplace) {
  for (const char* bad : {"\x80", "\xC0\xAF", "\xC1\xBF", "\xE0\x80\xAF", "\xED\xA0\x80", "\xF0\x80\x80\xAF",
                          "\xF4\x90\x80\x80", "\xF5\x80\x80\x80", "\xFF", "\xC3", "\xE2\x82", "\xE2\x28\xA1"}) {
    for (std::size_t at = 0; at <= 9; ++at) {
      const std::string text = std::string(at, 'a') + bad;
      EXPECT_FALSE(is_valid_utf8(text)) << "at " << at;
      EXPECT_FALSE(is_valid_utf8(text + "some ascii after it")) << "at " << at;
      // The library agrees that it is not UTF-8.
      EXPECT_THROW((void)nlohmann::json(text).dump(), nlohmann::json::type_error);
    }
  }
}

// Audit lines, summaries and API paths all write their integers with
// append_decimal; the extremes must fit and read as nlohmann writes them.
TEST(JsonString, DecimalIntegersAreWhatTheJsonLibraryWrites) {
  std::string out = "x";
  append_decimal(out, std::numeric_limits<std::int64_t>::min());
  out.push_back(' ');
  append_decimal(out, std::numeric_limits<std::uint64_t>::max());
  out.push_back(' ');
  append_decimal(out, 0U);
  EXPECT_EQ(out, "x" + nlohmann::json(std::numeric_limits<std::int64_t>::min()).dump() + " " +
                     nlohmann::json(std::numeric_limits<std::uint64_t>::max()).dump() + " 0");
}

}  // namespace
}  // namespace moat::core::json
