#include "core/json/strict_json.h"

#include <gtest/gtest.h>

namespace moat::core::json {
namespace {

ParseOptions locating() {
  ParseOptions options;
  options.locate_values = true;
  return options;
}

TEST(StrictJson, ParsesAndLocatesMembers) {
  const auto doc = parse_strict("{\n  \"a\": {\"b\": [1, \"x\"]},\n  \"c\": true\n}", locating());
  ASSERT_TRUE(doc) << doc.error().message;
  EXPECT_EQ(doc->value["a"]["b"][1], "x");
  EXPECT_EQ(doc->where("/a").line, 2U);
  EXPECT_EQ(doc->where("/a").column, 3U);
  EXPECT_EQ(doc->where("/a/b").column, 9U);
  EXPECT_EQ(doc->where("/a/b/1").column, 18U);
  EXPECT_EQ(doc->where("/c").line, 3U);
  EXPECT_EQ(doc->where("/c/missing/deeper").line, 3U);
}

TEST(StrictJson, LocatesEveryMemberOfALongDocument) {
  // Locations continue from the one before; each must still be where a
  // count from the start puts it.
  std::string text = "[\n";
  for (int i = 0; i < 2000; ++i) {
    text += std::string(i > 0 ? ",\n" : "") + "  {\"k\u00e9\": " + std::to_string(i) + ", \"v\": [\"\u00fc\", " +
            std::to_string(i) + "]}";
  }
  text += "\n]";
  const auto doc = parse_strict(text, locating());
  ASSERT_TRUE(doc) << doc.error().message;
  ASSERT_EQ(doc->locations.size(), 1U + 2000U * 5U);
  for (const auto& [pointer, where] : doc->locations) {
    const Location counted = locate(text, where.offset);
    EXPECT_EQ(where.line, counted.line) << pointer;
    EXPECT_EQ(where.column, counted.column) << pointer;
  }
  EXPECT_EQ(doc->where("/1999/v/1").line, 2001U);
  EXPECT_EQ(doc->where("/1999/v/1").column, 27U);  // é and ü count one column each
}

TEST(StrictJson, RefusesDuplicateKeysWithLocation) {
  const auto doc = parse_strict("{\"a\": 1,\n \"a\": 2}");
  ASSERT_FALSE(doc);
  EXPECT_EQ(doc.error().message, "duplicate key \"a\"");
  EXPECT_EQ(doc.error().where.line, 2U);
  EXPECT_EQ(doc.error().where.column, 2U);
}

TEST(StrictJson, RefusesByteOrderMark) {
  const auto doc = parse_strict("\xEF\xBB\xBF{}");
  ASSERT_FALSE(doc);
  EXPECT_EQ(doc.error().message, "starts with a UTF-8 byte order mark; save it as UTF-8 without BOM");
}

TEST(StrictJson, RefusesTrailingBytes) {
  const auto doc = parse_strict("{} {}");
  ASSERT_FALSE(doc);
  EXPECT_EQ(doc.error().where.column, 4U);
  EXPECT_NE(doc.error().message.find("expected end of input"), std::string::npos)
      << doc.error().message;
}

TEST(StrictJson, RefusesTrailingComma) {
  const auto doc = parse_strict("{\"a\": 1,\n}");
  ASSERT_FALSE(doc);
  EXPECT_EQ(doc.error().where.line, 2U);
  EXPECT_EQ(doc.error().where.column, 1U);
}

TEST(StrictJson, RefusesInvalidUtf8AndLoneSurrogates) {
  EXPECT_FALSE(parse_strict("\"\xff\""));
  EXPECT_FALSE(parse_strict("\"\\ud800\""));
}

TEST(StrictJson, RefusesOutOfRangeNumbers) {
  const auto doc = parse_strict("[1e999]");
  ASSERT_FALSE(doc);
  EXPECT_EQ(doc.error().message, "number overflow parsing '1e999'");
}

TEST(StrictJson, RefusesDeepNestingAndLargeInput) {
  ParseOptions options;
  options.max_depth = 3;
  EXPECT_TRUE(parse_strict("[[[]]]", options));
  const auto deep = parse_strict("[[[[]]]]", options);
  ASSERT_FALSE(deep);
  EXPECT_EQ(deep.error().message, "nesting deeper than 3 levels");
  options.max_bytes = 4;
  EXPECT_FALSE(parse_strict("[1,2]", options));
}

TEST(StrictJson, KeysWithPointerCharactersAreEscaped) {
  const auto doc = parse_strict("{\"a/b\": {\"c~d\": 1}}", locating());
  ASSERT_TRUE(doc);
  EXPECT_TRUE(doc->locations.contains("/a~1b/c~0d"));
}

TEST(StrictJson, ColumnsCountCharactersNotBytes) {
  const auto doc = parse_strict("{\"é\": 1, \"x\": 2}", locating());
  ASSERT_TRUE(doc);
  EXPECT_EQ(doc->where("/x").column, 10U);
}

TEST(StrictJson, LocatesValuesOnlyWhenAskedAndErrorsAlways) {
  const std::string text = "{\"a\": [1, {\"b\": null}], \"c\": \"d\"}";
  const auto plain = parse_strict(text);
  const auto located = parse_strict(text, locating());
  ASSERT_TRUE(plain && located);
  EXPECT_EQ(plain->value, located->value);
  EXPECT_TRUE(plain->locations.empty());
  EXPECT_EQ(located->locations.size(), 6U);
  const auto duplicate = parse_strict("{\n  \"a\": 1,\n  \"a\": 2\n}");
  ASSERT_FALSE(duplicate);
  EXPECT_EQ(duplicate.error().where.line, 3U);
  EXPECT_EQ(duplicate.error().where.column, 3U);
}

}  // namespace
}  // namespace moat::core::json
