#include "core/engine/container_record.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "support/temp_dir.h"

namespace moat::core::engine {
namespace {

const std::string kIdA(64, 'a');
const std::string kIdB = std::string(63, 'a') + "b";

std::string record_text(const std::string& id, const std::string& name, const std::string& mount_points) {
  return R"({"ID":")" + id + R"(","Name":"/)" + name + R"(","MountPoints":)" + mount_points + "}";
}

TEST(ContainerRecord, TheEnginesRecordIsRead) {
  const auto record = parse_container_record(record_text(
      kIdA, "web",
      R"({"/src":{"Source":"/home/dev/proj","Destination":"/src","RW":true,"Name":"","Driver":"","Type":"bind"},)"
      R"("/data":{"Source":"","Destination":"/data","Name":"v1","Driver":"local","Type":"volume"}})"));
  ASSERT_TRUE(record) << record.error().message;
  EXPECT_EQ(record->id, kIdA);
  EXPECT_EQ(record->name, "/web");
  ASSERT_EQ(record->mounts.size(), 2U);
  EXPECT_EQ(record->mounts[1].destination, "/src");
  EXPECT_EQ(record->mounts[1].type, "bind");
  EXPECT_EQ(record->mounts[1].source, "/home/dev/proj");
  EXPECT_EQ(record->mounts[0].name, "v1");
  EXPECT_EQ(record->mounts[0].driver, "local");
  EXPECT_TRUE(parse_container_record(record_text(kIdA, "x", "null"))->mounts.empty());
  EXPECT_TRUE(record->labels.empty());
}

TEST(ContainerRecord, LabelsAreReadFromItsConfig) {
  const auto record =
      parse_container_record(R"({"ID":")" + kIdA + R"(","Config":{"Labels":{"moat.owner":"1:2:ab","a":"b"}}})");
  ASSERT_TRUE(record) << record.error().message;
  EXPECT_EQ(record->labels, (std::map<std::string, std::string>{{"a", "b"}, {"moat.owner", "1:2:ab"}}));
  EXPECT_TRUE(parse_container_record(R"({"ID":")" + kIdA + R"(","Config":{"Labels":null}})")->labels.empty());
  const auto bad = parse_container_record(R"({"ID":")" + kIdA + R"(","Config":{"Labels":{"moat.owner":7}}})");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "label moat.owner is not a string");
  EXPECT_FALSE(parse_container_record(R"({"ID":")" + kIdA + R"(","Config":[]})"));
}

TEST(ContainerRecord, AShapeTheEngineNeverWritesIsAnError) {
  const auto why = [](const std::string& text) {
    const auto r = parse_container_record(text);
    return r ? std::string("read") : r.error().message;
  };
  EXPECT_EQ(why("[]"), "the container's record is not a JSON object");
  EXPECT_EQ(why(R"({"ID":"abc"})"), "the container's record has no 64-digit ID");
  EXPECT_EQ(why(record_text(kIdA, "x", "[]")), "the container's MountPoints is not an object");
  EXPECT_EQ(why(record_text(kIdA, "x", R"({"/a":{"Type":7}})")), "mount point /a: Type is not a string");
  EXPECT_EQ(why(record_text(kIdA, "x", R"({"/a":"bind"})")), "mount point /a is not an object");
}

TEST(ContainerRecord, AVolumesOptionsSayWhetherItShowsHostFiles) {
  EXPECT_EQ(*volume_host_device(R"({"MountType":"none","MountOpts":"bind","MountDevice":"/tmp"})"),
            std::optional<std::string>("/tmp"));
  EXPECT_EQ(*volume_host_device(R"({"MountType":"ext4","MountOpts":"","MountDevice":"/dev/vdb"})"),
            std::optional<std::string>("/dev/vdb"));
  EXPECT_EQ(*volume_host_device(R"({"MountType":"tmpfs","MountOpts":"size=1m","MountDevice":"tmpfs"})"),
            std::nullopt);
  EXPECT_FALSE(volume_host_device(R"({"MountType":1})"));
}

class FindContainerTest : public ::testing::Test {
 protected:
  void add(const std::string& id, const std::string& name, const std::string& mount_points = "{}") {
    std::filesystem::create_directories(root_ / "containers" / id);
    std::ofstream(root_ / "containers" / id / "config.v2.json") << record_text(id, name, mount_points);
  }
  std::string found_id(const std::string& name_or_id) {
    const auto r = find_container(root_.str(), name_or_id);
    if (!r) return "error: " + r.error().message;
    return *r ? (*r)->id : "none";
  }
  testing_support::TempDir root_;
};

// As the engine resolves a name in an API path: full id, name, then a
// prefix that only one id has.
TEST_F(FindContainerTest, AContainerIsFoundAsTheEngineFindsIt) {
  add(kIdA, "web");
  add(kIdB, std::string(64, 'a'));  // a name that is another's id loses to the id
  EXPECT_EQ(found_id(kIdA), kIdA);
  EXPECT_EQ(found_id("web"), kIdA);
  EXPECT_EQ(found_id(std::string(64, 'a')), kIdA);
  EXPECT_EQ(found_id(std::string(63, 'a') + "b"), kIdB);
  EXPECT_EQ(found_id("aaaa"), "none");  // two ids begin so: the engine refuses it
  EXPECT_EQ(found_id("nothing"), "none");
  EXPECT_EQ(found_id(""), "none");
}

TEST_F(FindContainerTest, HostMountsAreBindsAndVolumesOfHostFiles) {
  add(kIdA, "web",
      R"({"/src":{"Destination":"/src","Type":"bind","Source":"/home/dev/proj"},)"
      R"("/plain":{"Destination":"/plain","Type":"volume","Name":"plain","Driver":"local"},)"
      R"("/tmpv":{"Destination":"/tmpv","Type":"volume","Name":"tmpv","Driver":"local"},)"
      R"("/bound":{"Destination":"/bound","Type":"volume","Name":"bound","Driver":"local"},)"
      R"("/nfs":{"Destination":"/nfs","Type":"volume","Name":"remote","Driver":"acme/nfs"},)"
      R"("/t":{"Destination":"/t","Type":"tmpfs"}})");
  for (const char* v : {"plain", "tmpv", "bound"}) std::filesystem::create_directories(root_ / "volumes" / v);
  std::ofstream(root_ / "volumes/tmpv/opts.json") << R"({"MountType":"tmpfs","MountDevice":"tmpfs"})";
  std::ofstream(root_ / "volumes/bound/opts.json") << R"({"MountType":"none","MountOpts":"bind","MountDevice":"/tmp"})";
  const auto container = find_container(root_.str(), "web");
  ASSERT_TRUE(container && *container);
  const auto mounts = host_mounts_of(root_.str(), **container);
  ASSERT_TRUE(mounts) << mounts.error().message;
  ASSERT_EQ(mounts->size(), 3U);
  EXPECT_EQ((*mounts)[0].destination, "/bound");
  EXPECT_EQ((*mounts)[0].source, "/tmp");
  EXPECT_EQ((*mounts)[1].destination, "/nfs");
  EXPECT_EQ((*mounts)[1].source, "");
  EXPECT_EQ((*mounts)[2].destination, "/src");
  EXPECT_EQ((*mounts)[2].source, "/home/dev/proj");

  add(kIdB, "odd", R"({"/x":{"Destination":"/x","Type":"volume","Name":"../../etc","Driver":"local"}})");
  const auto odd = find_container(root_.str(), "odd");
  ASSERT_TRUE(odd && *odd);
  const auto refused = host_mounts_of(root_.str(), **odd);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message, "the volume at /x has no usable name");
}

}  // namespace
}  // namespace moat::core::engine
