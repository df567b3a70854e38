#include "core/policy/body_fields.h"

#include <gtest/gtest.h>

namespace moat::core::policy {
namespace {

using nlohmann::json;

TEST(BodyFields, AbsentAndNullReadAsNotSet) {
  const json body = {{"A", nullptr}};
  const Fields f{&body, ""};
  EXPECT_EQ(*f.boolean("A"), false);
  EXPECT_EQ(*f.string("Missing"), "");
  EXPECT_EQ(*f.integer("A"), 0);
  EXPECT_TRUE(f.strings("A")->empty());
  EXPECT_EQ(*f.array("A"), nullptr);
  EXPECT_FALSE(f.object_at("A")->present());
  EXPECT_TRUE(f.string_map("A")->empty());
}

TEST(BodyFields, WrongTypesAreRefusedWithThePointer) {
  const json body = {
      {"HostConfig", {{"Binds", {"/a", 1}}, {"Memory", "1g"}, {"Big", 18446744073709551615ULL}}}};
  const Fields root{&body, ""};
  const auto host = root.object_at("HostConfig");
  ASSERT_TRUE(host);
  EXPECT_EQ(host->strings("Binds").error().reason,
            "the request body member /HostConfig/Binds is not an array of strings");
  EXPECT_EQ(host->integer("Memory").error().rule, "request.malformed");
  EXPECT_EQ(host->integer("Big").error().reason,
            "the request body member /HostConfig/Big is not a 64-bit integer");
}

TEST(BodyFields, AStringIsAOneElementList) {
  const json body = {{"CapAdd", "NET_ADMIN"}};
  const Fields f{&body, ""};
  EXPECT_EQ(*f.strings("CapAdd"), std::vector<std::string>({"NET_ADMIN"}));
}

TEST(BodyFields, TheRootMustBeAnObject) {
  EXPECT_FALSE(body_fields(std::nullopt)->present());
  EXPECT_FALSE(body_fields(json(nullptr))->present());
  EXPECT_EQ(body_fields(json("x")).error().reason, "the request body member / is not an object");
}

}  // namespace
}  // namespace moat::core::policy
