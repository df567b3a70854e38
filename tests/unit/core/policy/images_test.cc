#include "core/policy/images.h"

#include <gtest/gtest.h>

#include "policy_test_support.h"

namespace moat::core::policy {
namespace {

using test_support::PolicyHarness;
using test_support::request;

constexpr const char* kRemedy =
    " An admin can allow it with \"blockDockerLoad\": {\"value\": false} in admin-settings.json.";

TEST(ImageLoad, IsAllowedByDefault) {
  PolicyHarness h;
  EXPECT_TRUE(h.decide(request("POST", "images/load", std::nullopt, {{"quiet", "1"}})).allowed);
}

TEST(ImageLoad, IsRefusedWhenBlocked) {
  PolicyHarness h;
  h.set("blockDockerLoad", true);
  const auto d = h.decide(request("POST", "images/load", std::nullopt, {{"quiet", "1"}}));
  EXPECT_EQ(d.rule, "image.load-blocked");
  EXPECT_EQ(d.message(), std::string("Moat refused this request: docker load is blocked (setting "
                                     "blockDockerLoad).") +
                             kRemedy);
}

TEST(ImageImport, IsRefusedWhenBlocked) {
  PolicyHarness h;
  h.set("blockDockerLoad", true);
  const auto d = h.decide(request("POST", "images/create", std::nullopt,
                                  {{"fromSrc", "-"}, {"repo", "mine"}, {"tag", "1"}}));
  EXPECT_EQ(d.message(), std::string("Moat refused this request: docker import is blocked (setting "
                                     "blockDockerLoad).") +
                             kRemedy);
}

TEST(ImageImport, FromAUrlIsAnImportToo) {
  PolicyHarness h;
  h.set("blockDockerLoad", true);
  EXPECT_EQ(h.decide(request("POST", "images/create", std::nullopt,
                             {{"fromSrc", "http://example.com/rootfs.tar"}}))
                .rule,
            "image.load-blocked");
}

TEST(ImageImport, WithoutFromImageTheEngineImports) {
  PolicyHarness h;
  h.set("blockDockerLoad", true);
  EXPECT_EQ(h.decide(request("POST", "images/create")).rule, "image.load-blocked");
  EXPECT_EQ(h.decide(request("POST", "images/create", std::nullopt, {{"fromImage", ""}})).rule,
            "image.load-blocked");
}

TEST(ImageImport, AFromSrcBesideFromImageCountsAsImport) {
  PolicyHarness h;
  h.set("blockDockerLoad", true);
  EXPECT_EQ(h.decide(request("POST", "images/create", std::nullopt,
                             {{"fromSrc", "-"}, {"fromImage", "alpine"}}))
                .rule,
            "image.load-blocked");
}

TEST(ImageImport, IsAllowedWhenNotBlocked) {
  PolicyHarness h;
  const auto d = h.decide(request("POST", "images/create", std::nullopt, {{"fromSrc", "-"}}));
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.rule, "image.import");
}

TEST(ImagePull, IsAllowedWhileLoadIsBlocked) {
  PolicyHarness h;
  h.set("blockDockerLoad", true);
  const auto d =
      h.decide(request("POST", "images/create", std::nullopt, {{"fromImage", "alpine"}}));
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.rule, "image.pull");
}

TEST(ImageLoad, AMalformedSettingBlocks) {
  PolicyHarness h;
  h.set("blockDockerLoad", "no");
  EXPECT_EQ(h.decide(request("POST", "images/load")).rule, "image.load-blocked");
}

}  // namespace
}  // namespace moat::core::policy
