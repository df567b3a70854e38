#include "runtime/idmap/container_owner.h"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "support/temp_dir.h"

namespace moat::runtime::idmap {
namespace {

using moat::testing_support::TempDir;

TEST(ContainerOwner, TheOwnersIdsAreContainerRootAndNoOtherHostIdIsMapped) {
  const IdMapping m = owner_mapping({1000, 1001}, 165536);
  EXPECT_EQ(m.uid_map, "1000 165536 1\n");
  EXPECT_EQ(m.gid_map, "1001 165536 1\n");
}

class FindContainerOwnerTest : public ::testing::Test {
 protected:
  void SetUp() override { std::filesystem::create_directories(data_ / "containers" / kId); }
  void record(const std::string& labels) {
    std::ofstream(data_ / "containers" / kId / "config.v2.json")
        << R"({"ID":")" + kId + R"(","Config":{"Labels":)" + labels + "}}";
  }
  void record_label(const std::string& label) { record(R"({"moat.owner":")" + label + R"("})"); }
  OwnerLookup find() const { return find_container_owner(data_.str(), kId, seals_.str()); }

  const std::string kId = std::string(64, 'c');
  std::string label_for(const core::trust::ContainerOwner& owner) const {
    return *core::trust::OwnerSeals(seals_.str()).label_for(owner);
  }

  TempDir data_;
  TempDir seals_;
};

TEST_F(FindContainerOwnerTest, ASealedLabelNamesTheOwner) {
  record_label(label_for({1000, 1000}));
  const OwnerLookup found = find();
  ASSERT_TRUE(found.owner) << found.note;
  EXPECT_EQ(*found.owner, (core::trust::ContainerOwner{1000, 1000}));
  EXPECT_EQ(found.note, "");
}

TEST_F(FindContainerOwnerTest, NoRecordNoLabelOrAnEmptyOneIsNoOwnerWithoutANote) {
  OwnerLookup found = find();  // a builder's step: the engine has no record
  EXPECT_FALSE(found.owner);
  EXPECT_EQ(found.note, "");
  record("{}");
  found = find();
  EXPECT_FALSE(found.owner);
  EXPECT_EQ(found.note, "");
  record_label("");  // moatd's label for root's containers and with "containerRange"
  found = find();
  EXPECT_FALSE(found.owner);
  EXPECT_EQ(found.note, "");
  record(R"({"moat.owner":7})");  // a shape the engine never writes
  found = find();
  EXPECT_FALSE(found.owner);
  EXPECT_EQ(found.note, "");
}

TEST_F(FindContainerOwnerTest, AnUnsealedLabelOrAMissingSealIsSaid) {
  const std::string label = label_for({1000, 1000});
  record_label("1000:1000:00000000000000000000000000000000");
  OwnerLookup found = find();
  EXPECT_FALSE(found.owner);
  EXPECT_EQ(found.note, "label moat.owner does not carry this stack's seal for uid 1000 and gid 1000");
  record_label(label);
  std::filesystem::remove(seals_ / "1000-1000");
  found = find();
  EXPECT_FALSE(found.owner);
  EXPECT_EQ(found.note, "owner seal " + (seals_ / "1000-1000").string() + ": No such file or directory");
}

}  // namespace
}  // namespace moat::runtime::idmap
