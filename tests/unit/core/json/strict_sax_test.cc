#include "core/json/strict_sax.h"

#include <gtest/gtest.h>

#include <string>

namespace moat::core::json {
namespace {

// Counts values and refuses the key "stop", where the lexer is then.
class CountingHandler : public StrictSaxHandler {
 public:
  using StrictSaxHandler::StrictSaxHandler;
  bool null() override { return ++values; }
  bool boolean(bool) override { return ++values; }
  bool number_integer(number_integer_t) override { return ++values; }
  bool number_unsigned(number_unsigned_t) override { return ++values; }
  bool number_float(number_float_t, const string_t&) override { return ++values; }
  bool string(string_t&) override { return ++values; }
  bool binary(binary_t&) override { return false; }
  bool start_object(std::size_t) override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_object() override { return true; }
  bool end_array() override { return true; }
  bool key(string_t& k) override { return k != "stop" || refuse("stopped at \"stop\"", consumed()); }
  int values = 0;
};

TEST(StrictSax, FeedsEveryValueOfAValidText) {
  CountingHandler handler(R"({"a": [1, 2.5, "x", null, true], "b": {}})");
  EXPECT_TRUE(run_strict_sax(ParseOptions{}, handler));
  EXPECT_FALSE(handler.error);
  EXPECT_EQ(handler.values, 5);
}

TEST(StrictSax, TheHandlersRefusalIsTheErrorWithWhereTheLexerWas) {
  CountingHandler handler("{\"a\": 1,\n  \"stop\": 2}");
  EXPECT_FALSE(run_strict_sax(ParseOptions{}, handler));
  ASSERT_TRUE(handler.error);
  EXPECT_EQ(handler.error->message, "stopped at \"stop\"");
  EXPECT_EQ(handler.error->where.line, 2U);
  EXPECT_EQ(handler.values, 1);
}

TEST(StrictSax, RefusesBeforeParsingALargeTextOrAByteOrderMark) {
  ParseOptions small;
  small.max_bytes = 4;
  CountingHandler large("[1, 2]");
  EXPECT_FALSE(run_strict_sax(small, large));
  EXPECT_EQ(large.error->message, "larger than the limit of 4 bytes");
  EXPECT_EQ(large.values, 0);
  CountingHandler bom("\xEF\xBB\xBF[1]");
  EXPECT_FALSE(run_strict_sax(ParseOptions{}, bom));
  EXPECT_NE(bom.error->message.find("byte order mark"), std::string::npos);
  EXPECT_EQ(bom.values, 0);
}

TEST(StrictSax, ASyntaxErrorIsWordedWithoutNlohmannsPrefixAndLocated) {
  CountingHandler handler("[1,\n 2,]");
  EXPECT_FALSE(run_strict_sax(ParseOptions{}, handler));
  ASSERT_TRUE(handler.error);
  EXPECT_EQ(handler.error->message.find("[json.exception"), std::string::npos) << handler.error->message;
  EXPECT_EQ(handler.error->message.find("parse error"), std::string::npos) << handler.error->message;
  EXPECT_EQ(handler.error->where.line, 2U);
  CountingHandler trailing("[1] [2]");
  EXPECT_FALSE(run_strict_sax(ParseOptions{}, trailing));
}

}  // namespace
}  // namespace moat::core::json
