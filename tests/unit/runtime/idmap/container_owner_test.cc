#include "runtime/idmap/container_owner.h"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "support/temp_dir.h"

namespace moat::runtime::idmap {
namespace {

using moat::testing_support::TempDir;

TEST(ContainerOwner, TheLabelIsReadFromTheEnginesRecordOfTheContainer) {
  EXPECT_EQ(owner_label_in_engine_config(R"({"ID":"x","Config":{"Labels":{"moat.owner":"1:2:ab","a":"b"}}})"),
            "1:2:ab");
  EXPECT_EQ(owner_label_in_engine_config(R"({"Config":{"Labels":{"a":"b"}}})"), std::nullopt);
  EXPECT_EQ(owner_label_in_engine_config(R"({"Config":{"Labels":null}})"), std::nullopt);
  EXPECT_EQ(owner_label_in_engine_config(R"({"Config":{"Labels":{"moat.owner":7}}})"), std::nullopt);
  EXPECT_EQ(owner_label_in_engine_config(R"({"Labels":{"moat.owner":"1:2:ab"}})"), std::nullopt);
  EXPECT_EQ(owner_label_in_engine_config("[1]"), std::nullopt);
  EXPECT_EQ(owner_label_in_engine_config("{\"Config\":"), std::nullopt);
}

TEST(ContainerOwner, TheOwnersIdsAreContainerRootAndNoOtherHostIdIsMapped) {
  const IdMapping m = owner_mapping({1000, 1001}, 165536);
  EXPECT_EQ(m.uid_map, "1000 165536 1\n");
  EXPECT_EQ(m.gid_map, "1001 165536 1\n");
}

class FindContainerOwnerTest : public ::testing::Test {
 protected:
  void SetUp() override { std::filesystem::create_directories(data_ / "containers/abc"); }
  void record(const std::string& label) {
    std::ofstream(data_ / "containers/abc/config.v2.json")
        << R"({"Config":{"Labels":{"moat.owner":")" + label + R"("}}})";
  }
  OwnerLookup find() const { return find_container_owner(data_.str(), "abc", seals_.str()); }
  std::string label_for(const core::trust::ContainerOwner& owner) const {
    return *core::trust::OwnerSeals(seals_.str()).label_for(owner);
  }

  TempDir data_;
  TempDir seals_;
};

TEST_F(FindContainerOwnerTest, ASealedLabelNamesTheOwner) {
  record(label_for({1000, 1000}));
  const OwnerLookup found = find();
  ASSERT_TRUE(found.owner) << found.note;
  EXPECT_EQ(*found.owner, (core::trust::ContainerOwner{1000, 1000}));
  EXPECT_EQ(found.note, "");
}

TEST_F(FindContainerOwnerTest, NoRecordOrNoLabelIsNoOwnerWithoutANote) {
  OwnerLookup found = find();  // a builder's step: the engine has no record
  EXPECT_FALSE(found.owner);
  EXPECT_EQ(found.note, "");
  std::ofstream(data_ / "containers/abc/config.v2.json") << R"({"Config":{"Labels":{}}})";
  found = find();
  EXPECT_FALSE(found.owner);
  EXPECT_EQ(found.note, "");
}

TEST_F(FindContainerOwnerTest, AnUnsealedLabelOrAMissingSealIsSaid) {
  const std::string label = label_for({1000, 1000});
  record("1000:1000:00000000000000000000000000000000");
  OwnerLookup found = find();
  EXPECT_FALSE(found.owner);
  EXPECT_EQ(found.note, "label moat.owner does not carry this stack's seal for uid 1000 and gid 1000");
  record(label);
  std::filesystem::remove(seals_ / "1000-1000");
  found = find();
  EXPECT_FALSE(found.owner);
  EXPECT_EQ(found.note, "owner seal " + (seals_ / "1000-1000").string() + ": No such file or directory");
}

}  // namespace
}  // namespace moat::runtime::idmap
