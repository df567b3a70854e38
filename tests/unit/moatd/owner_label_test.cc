#include "moatd/owner_label.h"

#include <gtest/gtest.h>

#include "support/temp_dir.h"

namespace moat::moatd {
namespace {

using nlohmann::json;

PeerCredentials caller(uid_t uid, gid_t gid) {
  PeerCredentials peer;
  peer.uid = uid;
  peer.gid = gid;
  return peer;
}

TEST(OwnerLabel, OnlyContainerCreateIsACreate) {
  http::CanonicalRequest r;
  r.method = "POST";
  r.segments = {"containers", "create"};
  EXPECT_TRUE(creates_container(r));
  r.segments = {"containers", "abc", "start"};
  EXPECT_FALSE(creates_container(r));
  r.segments = {"containers", "create"};
  r.method = "GET";
  EXPECT_FALSE(creates_container(r));
}

// Whatever the client sent under the label, the engine gets the caller's,
// sealed; the client's other labels stay.
TEST(OwnerLabel, TheCallerReplacesWhatTheClientSent) {
  const testing_support::TempDir dir;
  const core::trust::OwnerSeals key(dir.str());
  json body = {{"Image", "busybox"}, {"Labels", {{"moat.owner", "0:0:forged"}, {"team", "a"}}}};
  ASSERT_TRUE(set_owner_label(body, caller(1000, 1000), &key));
  EXPECT_EQ(body["Labels"]["team"], "a");
  const auto owner = key.owner_from(body["Labels"]["moat.owner"].get<std::string>());
  ASSERT_TRUE(owner) << owner.error().message;
  EXPECT_EQ(*owner, (core::trust::ContainerOwner{1000, 1000}));

  json bare = {{"Image", "busybox"}, {"Labels", nullptr}};
  ASSERT_TRUE(set_owner_label(bare, caller(1001, 50), &key));
  EXPECT_EQ(bare["Labels"].size(), 1U);
  EXPECT_TRUE(key.owner_from(bare["Labels"]["moat.owner"].get<std::string>()));
}

// Root, root's group, an unknown peer and a stack that writes host
// directories as the container's range: the label is set empty, so the
// engine cannot fill it from the image's labels.
TEST(OwnerLabel, NoOneElseIsNamed) {
  const testing_support::TempDir dir;
  const core::trust::OwnerSeals key(dir.str());
  for (const auto& [peer, with_key] : {std::pair{caller(0, 0), true}, std::pair{caller(1000, 0), true},
                                       std::pair{caller(0, 1000), true},
                                       std::pair{caller(static_cast<uid_t>(-1), 1000), true},
                                       std::pair{caller(1000, 1000), false}}) {
    json body = {{"Image", "busybox"}, {"Labels", {{"moat.owner", "1000:1000:x"}, {"team", "a"}}}};
    EXPECT_TRUE(set_owner_label(body, peer, with_key ? &key : nullptr));
    EXPECT_EQ(body["Labels"], (json{{"moat.owner", ""}, {"team", "a"}})) << peer.uid << ":" << peer.gid;
  }
  json none = {{"Image", "busybox"}};
  EXPECT_TRUE(set_owner_label(none, caller(0, 0), &key));
  EXPECT_EQ(none, (json{{"Image", "busybox"}, {"Labels", {{"moat.owner", ""}}}}));
}

// Without a seal the label is empty, and the reason comes back for the log.
TEST(OwnerLabel, WithoutASealTheLabelIsEmpty) {
  const testing_support::TempDir dir;
  const core::trust::OwnerSeals seals((dir / "missing").string());
  json body = {{"Image", "busybox"}, {"Labels", {{"moat.owner", "1000:1000:x"}}}};
  EXPECT_FALSE(set_owner_label(body, caller(1000, 1000), &seals));
  EXPECT_EQ(body["Labels"], (json{{"moat.owner", ""}}));
}

}  // namespace
}  // namespace moat::moatd
