#include "core/json/top_level_scalars.h"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <string_view>

namespace moat::core::json {
namespace {

constexpr std::array<std::string_view, 2> kKeys{"pid", "start"};

TEST(TopLevelScalars, PicksTheNamedMembersAndSkipsTheRest) {
  const auto picked = top_level_scalars(
      R"({"id": "c1", "pid": 42, "config": {"pid": 7, "list": [1, {"start": 9}]}, "start": 123456789012})", kKeys);
  ASSERT_TRUE(picked) << picked.error().message;
  EXPECT_EQ(*picked, nlohmann::json::parse(R"({"pid": 42, "start": 123456789012})"));
}

TEST(TopLevelScalars, AMissingMemberIsLeftOut) {
  const auto picked = top_level_scalars(R"({"pid": null})", kKeys);
  ASSERT_TRUE(picked) << picked.error().message;
  EXPECT_EQ(*picked, nlohmann::json::parse(R"({"pid": null})"));
}

TEST(TopLevelScalars, RefusesWhatParseStrictRefuses) {
  for (const std::string text : {
           R"({"pid": 1,})",             // trailing comma
           R"({"pid": 1} x)",            // bytes after the value
           "\xEF\xBB\xBF{\"pid\": 1}",   // byte order mark
           "{\"id\": \"\xFF\"}",         // invalid UTF-8, in a member not asked for
           R"({"pid": 1, "pid": 2})",    // duplicate key at the top level
           R"({"id": "a", "id": "b"})",  // even of a member not asked for
           R"({"pid": 01})",
           R"({"a": [[[[1]]]]})",  // deeper than the limit below
       }) {
    ParseOptions options;
    options.max_depth = 4;
    EXPECT_FALSE(top_level_scalars(text, kKeys, options)) << text;
    EXPECT_FALSE(parse_strict(text, options)) << text;
  }
}

TEST(TopLevelScalars, RefusesATextThatIsNoObjectOrANamedMemberThatIsNoSingleValue) {
  for (const std::string text : {"[1]", "7", R"("pid")", R"({"pid": [1]})", R"({"start": {"a": 1}})"}) {
    const auto picked = top_level_scalars(text, kKeys);
    ASSERT_FALSE(picked) << text;
    EXPECT_FALSE(picked.error().message.empty());
  }
  const auto nested = top_level_scalars(R"({"id": 1,
 "pid": [1]})", kKeys);
  ASSERT_FALSE(nested);
  EXPECT_EQ(nested.error().message, "\"pid\" is an object or an array, not a single value");
  EXPECT_EQ(nested.error().where.line, 2U);
}

TEST(TopLevelScalars, RefusesATextLargerThanTheLimit) {
  ParseOptions options;
  options.max_bytes = 10;
  const auto picked = top_level_scalars(R"({"pid": 12345})", kKeys, options);
  ASSERT_FALSE(picked);
  EXPECT_EQ(picked.error().message, "larger than the limit of 10 bytes");
}

TEST(TopLevelScalars, LocatesASyntaxErrorAsParseStrictDoes) {
  const std::string text = "{\"id\": 1,\n \"pid\": tru}";
  const auto picked = top_level_scalars(text, kKeys);
  const auto strict = parse_strict(text);
  ASSERT_FALSE(picked);
  ASSERT_FALSE(strict);
  EXPECT_EQ(picked.error().message, strict.error().message);
  EXPECT_EQ(picked.error().where.line, strict.error().where.line);
  EXPECT_EQ(picked.error().where.column, strict.error().where.column);
}

}  // namespace
}  // namespace moat::core::json
