#include "runtime/rootfs/prepare.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "core/json/strict_json.h"
#include "support/temp_dir.h"

namespace moat::runtime::rootfs {
namespace {

using nlohmann::json;

// Records every privileged operation instead of doing it.
class RecordingOps final : public sys::PrivilegedOps {
 public:
  std::vector<std::string> calls;
  std::map<std::string, sys::NodeKind> kinds;  // node_kind answers; default missing
  std::string refuse_idmap_of;                 // clone_idmapped fails for this path
  std::vector<std::string> mounted;            // what read_mountinfo shows
  bool unmount_fails = false;

  Result<sys::NodeKind> node_kind(const std::string& path) override {
    const auto it = kinds.find(path);
    return it == kinds.end() ? sys::NodeKind::kMissing : it->second;
  }
  Result<void> make_mount_point(const std::string& path, sys::NodeKind kind) override {
    calls.push_back(std::string(kind == sys::NodeKind::kDirectory ? "mkdir " : "touch ") + path);
    return {};
  }
  Result<sys::UniqueFd> make_mapping_userns(const idmap::IdMapping& mapping) override {
    const auto trimmed = [](const std::string& line) { return line.substr(0, line.size() - 1); };
    calls.push_back("userns " + trimmed(mapping.uid_map) +
                    (mapping.gid_map == mapping.uid_map ? "" : " / " + trimmed(mapping.gid_map)));
    return sys::UniqueFd();
  }
  Result<sys::UniqueFd> clone_idmapped(const std::string& path, int, bool recursive) override {
    if (path == refuse_idmap_of) {
      return fail("cannot ID-map " + path + ": Invalid argument");
    }
    calls.push_back(std::string(recursive ? "rclone " : "clone ") + path);
    return sys::UniqueFd();
  }
  Result<void> mount_overlay(const sys::OverlayRequest& r, const std::string& target) override {
    std::string lowers;
    for (const std::string& l : r.lower_dirs) {
      lowers += (lowers.empty() ? "" : ":") + l;
    }
    calls.push_back("overlay " + target + " lower=" + lowers + " upper=" + r.upper_dir +
                    " work=" + r.work_dir + " base=" + std::to_string(r.range.host_base));
    return {};
  }
  Result<void> attach(int, const std::string& target) override {
    calls.push_back("attach " + target);
    return {};
  }
  Result<void> unmount(const std::string& target) override {
    calls.push_back("umount " + target);
    if (!unmount_fails) {
      std::erase(mounted, target);
    }
    return {};
  }
  Result<void> remove_mount_point(const std::string& path) override {
    calls.push_back("remove " + path);
    return {};
  }
};

json fixture(const std::string& name) {
  std::ifstream in(std::string(MOAT_FIXTURES) + "/oci/" + name);
  std::ostringstream text;
  text << in.rdbuf();
  auto doc = core::json::parse_strict(text.str());
  EXPECT_TRUE(doc);
  return doc ? doc->value : json();
}

constexpr idmap::IdRange kRange{165536, 65536};

std::string engine_overlay_line(const json& config) {
  const std::string merged = config["root"]["path"].get<std::string>();
  const std::string layer = merged.substr(0, merged.size() - std::string("/merged").size());
  return "51 42 0:41 / " + merged +
         " rw,relatime shared:2 - overlay overlay rw,lowerdir=/var/lib/docker/overlay2/l/A:"
         "/var/lib/docker/overlay2/l/B,upperdir=" +
         layer + "/diff,workdir=" + layer + "/work\n";
}

TEST(RootfsPrepare, OverlayRootAndEngineFilesAreIdMapped) {
  const json config = fixture("bind_mount.json");
  const std::string merged = config["root"]["path"].get<std::string>();
  const std::string layer = merged.substr(0, merged.size() - 7);
  RecordingOps ops;
  std::vector<std::size_t> bind_indexes;
  for (std::size_t i = 0; i < config["mounts"].size(); ++i) {
    if (is_bind_mount(config["mounts"][i])) {
      bind_indexes.push_back(i);
    }
  }
  ASSERT_EQ(bind_indexes.size(), 4U);  // /data, resolv.conf, hostname, hosts
  ops.kinds["/srv/data"] = sys::NodeKind::kDirectory;
  for (std::size_t i = 1; i < 4; ++i) {
    ops.kinds[config["mounts"][bind_indexes[i]]["source"].get<std::string>()] =
        sys::NodeKind::kRegularFile;
  }
  const ContainerPaths paths = container_paths("/run/moat", "abc");
  auto prepared = prepare(ops, config, "/bundle", kRange, paths, engine_overlay_line(config), "/var/lib/docker", {});
  ASSERT_TRUE(prepared) << prepared.error().message;
  std::vector<std::string> expected{
      "mkdir /run/moat/containers",
      "mkdir /run/moat/containers/abc",
      "mkdir /run/moat/containers/abc/rootfs",
      // One mapping namespace for the overlay and the binds alike.
      "userns 0 165536 65536",
      "overlay /run/moat/containers/abc/rootfs lower=/var/lib/docker/overlay2/l/A:"
      "/var/lib/docker/overlay2/l/B upper=" + layer + "/diff work=" + layer +
          "/moat-work base=165536",
      "mkdir /run/moat/containers/abc/binds"};
  for (std::size_t i = 1; i < 4; ++i) {
    const std::string staged = "/run/moat/containers/abc/binds/" + std::to_string(bind_indexes[i]);
    expected.push_back("rclone " + config["mounts"][bind_indexes[i]]["source"].get<std::string>());
    expected.push_back("touch " + staged);
    expected.push_back("attach " + staged);
  }
  EXPECT_EQ(ops.calls, expected);
  // A host directory stays in the container's own range: never host root.
  EXPECT_EQ(prepared->notes, std::vector<std::string>{
                                 "bind /srv/data -> /data not ID-mapped: a host path, written as the "
                                 "container's own id range"});

  const json applied = apply_prepared(config, *prepared);
  EXPECT_EQ(applied["root"]["path"], "/run/moat/containers/abc/rootfs");
  EXPECT_EQ(applied["mounts"][bind_indexes[0]]["source"], "/srv/data");
  EXPECT_EQ(applied["mounts"][bind_indexes[0]]["destination"], "/data");
  EXPECT_EQ(applied["mounts"][0], config["mounts"][0]);  // /proc untouched
}

TEST(RootfsPrepare, PlainDirectoryRootIsClonedAndUnmappableBindsAreKept) {
  json config = fixture("plain.json");
  config["root"]["path"] = "rootfs";
  config["mounts"].push_back(
      json{{"destination", "/run/docker.sock"}, {"type", "bind"}, {"source", "/run/docker.sock"},
           {"options", json::array({"rbind"})}});
  config["mounts"].push_back(json{{"destination", "/x"}, {"type", "bind"}, {"source", "/proc/x"},
                                  {"options", json::array({"bind"})}});
  RecordingOps ops;
  ops.kinds["/run/docker.sock"] = sys::NodeKind::kOther;
  ops.kinds["/proc/x"] = sys::NodeKind::kDirectory;
  ops.refuse_idmap_of = "/proc/x";
  for (const json& m : config["mounts"]) {
    if (m["type"] == "bind" && m["source"].get<std::string>().find("/containers/") !=
                                   std::string::npos) {
      ops.kinds[m["source"].get<std::string>()] = sys::NodeKind::kRegularFile;
    }
  }
  auto prepared = prepare(ops, config, "/bundle", kRange, container_paths("/s", "id"), "", "/", {});
  ASSERT_TRUE(prepared) << prepared.error().message;
  EXPECT_EQ(ops.calls[3], "userns 0 165536 65536");
  EXPECT_EQ(ops.calls[4], "rclone /bundle/rootfs");
  EXPECT_EQ(ops.calls[5], "attach /s/containers/id/rootfs");
  EXPECT_EQ(prepared->binds.size(), 3U);
  EXPECT_EQ(prepared->notes,
            (std::vector<std::string>{
                "bind /run/docker.sock -> /run/docker.sock kept as is: not a file or directory",
                "bind /proc/x -> /x kept as is: cannot ID-map /proc/x: Invalid argument"}));
}

// docker volume create -o type=none -o o=bind -o device=/home/dev/x: the
// engine bind-mounts the host directory on the volume's _data. ID-mapping it
// would let container root leave setuid-root files in the developer's home.
TEST(RootfsPrepare, AVolumeThatIsAMountOfHostFilesIsNotIdMapped) {
  json config = fixture("plain.json");
  config["root"]["path"] = "rootfs";
  config["mounts"] = json::array();
  const std::vector<std::string> volumes{"bind-home", "bind-shm", "tmpfs", "plain"};
  for (const std::string& v : volumes) {
    const std::string source = "/var/lib/docker/volumes/" + v + "/_data";
    config["mounts"].push_back(json{{"destination", "/" + v}, {"type", "bind"}, {"source", source},
                                    {"options", json::array({"rbind"})}});
  }
  RecordingOps ops;
  for (const std::string& v : volumes) {
    ops.kinds["/var/lib/docker/volumes/" + v + "/_data"] = sys::NodeKind::kDirectory;
  }
  const std::string mountinfo =
      "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n"
      "30 27 0:27 / /dev/shm rw - tmpfs tmpfs rw\n"
      // -o type=none -o o=bind -o device=/home/dev/x
      "90 27 254:0 /home/dev/x /var/lib/docker/volumes/bind-home/_data rw,relatime - ext4 /dev/vda rw\n"
      // -o type=none -o o=bind -o device=/dev/shm: the root of a filesystem the host shows too
      "91 27 0:27 / /var/lib/docker/volumes/bind-shm/_data rw - tmpfs tmpfs rw\n"
      // -o type=tmpfs: a filesystem of its own, also cloned for another container
      "92 27 0:60 / /var/lib/docker/volumes/tmpfs/_data rw - tmpfs tmpfs rw\n"
      "93 27 0:60 / /s/containers/other/binds/2 rw - tmpfs tmpfs rw\n";
  auto prepared = prepare(ops, config, "/bundle", kRange, container_paths("/s", "id"), mountinfo,
                          "/var/lib/docker", {});
  ASSERT_TRUE(prepared) << prepared.error().message;
  EXPECT_EQ(prepared->binds, (std::vector<std::pair<std::size_t, std::string>>{
                                 {2, "/s/containers/id/binds/2"}, {3, "/s/containers/id/binds/3"}}));
  const std::string tail = " not ID-mapped: a mount of host files sits there, written as the container's own id range";
  EXPECT_EQ(prepared->notes, (std::vector<std::string>{"bind /var/lib/docker/volumes/bind-home/_data -> /bind-home" + tail,
                                                       "bind /var/lib/docker/volumes/bind-shm/_data -> /bind-shm" + tail}));
  EXPECT_EQ(std::count(ops.calls.begin(), ops.calls.end(), "rclone /var/lib/docker/volumes/bind-home/_data"), 0);
  EXPECT_EQ(std::count(ops.calls.begin(), ops.calls.end(), "rclone /var/lib/docker/volumes/bind-shm/_data"), 0);
  EXPECT_EQ(std::count(ops.calls.begin(), ops.calls.end(), "rclone /var/lib/docker/volumes/tmpfs/_data"), 1);
}

// A host directory of a container its developer created: through its own
// namespace, that developer's uid and gid (and no other host id) are
// container root there.
TEST(RootfsPrepare, AHostDirectoryIsWrittenAsTheContainersDeveloper) {
  json config = fixture("plain.json");
  config["root"]["path"] = "rootfs";
  config["mounts"] = json::array({json{{"destination", "/src"}, {"type", "bind"}, {"source", "/home/dev/proj"},
                                       {"options", json::array({"rbind"})}},
                                  json{{"destination", "/etc/x"}, {"type", "bind"}, {"source", "/home/dev/x"},
                                       {"options", json::array({"bind"})}}});
  RecordingOps ops;
  ops.kinds["/home/dev/proj"] = sys::NodeKind::kDirectory;
  ops.kinds["/home/dev/x"] = sys::NodeKind::kRegularFile;
  int lookups = 0;
  const OwnerFinder find_owner = [&lookups] {
    ++lookups;
    return idmap::OwnerLookup{core::trust::ContainerOwner{1000, 1001}, ""};
  };
  auto prepared = prepare(ops, config, "/bundle", kRange, container_paths("/s", "id"), "", "/var/lib/docker",
                          find_owner);
  ASSERT_TRUE(prepared) << prepared.error().message;
  EXPECT_EQ(lookups, 1);
  EXPECT_EQ(ops.calls, (std::vector<std::string>{
                           "mkdir /s/containers", "mkdir /s/containers/id", "mkdir /s/containers/id/rootfs",
                           "userns 0 165536 65536", "rclone /bundle/rootfs", "attach /s/containers/id/rootfs",
                           "mkdir /s/containers/id/binds", "userns 1000 165536 1 / 1001 165536 1",
                           "rclone /home/dev/proj", "mkdir /s/containers/id/binds/0",
                           "attach /s/containers/id/binds/0", "clone /home/dev/x",
                           "touch /s/containers/id/binds/1", "attach /s/containers/id/binds/1"}));
  const std::string tail = " written as its developer: host uid 1000 and gid 1001 are root in the container";
  EXPECT_EQ(prepared->notes, (std::vector<std::string>{"bind /home/dev/proj -> /src" + tail,
                                                       "bind /home/dev/x -> /etc/x" + tail}));
}

// A label that does not check is said once, and the container writes host
// directories as its own range; without a host bind nobody looks.
TEST(RootfsPrepare, WithoutABelievedOwnerAHostDirectoryStaysInTheContainersRange) {
  json config = fixture("plain.json");
  config["root"]["path"] = "rootfs";
  config["mounts"] = json::array({json{{"destination", "/a"}, {"type", "bind"}, {"source", "/home/dev/a"},
                                       {"options", json::array({"rbind"})}},
                                  json{{"destination", "/b"}, {"type", "bind"}, {"source", "/home/dev/b"},
                                       {"options", json::array({"rbind"})}}});
  RecordingOps ops;
  int lookups = 0;
  const OwnerFinder refused = [&lookups] {
    ++lookups;
    return idmap::OwnerLookup{std::nullopt, "label moat.owner does not carry this stack's seal"};
  };
  auto prepared = prepare(ops, config, "/bundle", kRange, container_paths("/s", "id"), "", "/var/lib/docker",
                          refused);
  ASSERT_TRUE(prepared) << prepared.error().message;
  EXPECT_EQ(lookups, 1);
  EXPECT_TRUE(prepared->binds.empty());
  const std::string tail = " not ID-mapped: a host path, written as the container's own id range";
  EXPECT_EQ(prepared->notes,
            (std::vector<std::string>{"host bind mounts written as the container's own id range: label moat.owner "
                                      "does not carry this stack's seal",
                                      "bind /home/dev/a -> /a" + tail, "bind /home/dev/b -> /b" + tail}));

  config["mounts"] = json::array();
  prepared = prepare(ops, config, "/bundle", kRange, container_paths("/s", "id2"), "", "/var/lib/docker", refused);
  ASSERT_TRUE(prepared) << prepared.error().message;
  EXPECT_EQ(lookups, 1);
  EXPECT_TRUE(prepared->notes.empty());
}

TEST(RootfsPrepare, RefusesConfigWithoutRoot) {
  RecordingOps ops;
  auto r = prepare(ops, json::object(), "/b", kRange, container_paths("/s", "id"), "", "/var/lib/docker", {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "config.json has no root.path");
}

class TeardownTest : public ::testing::Test {
 protected:
  void SetUp() override {
    paths_ = container_paths(state_.str(), "abc");
    std::filesystem::create_directories(paths_.binds());
    std::filesystem::create_directories(paths_.rootfs());
    std::ofstream(paths_.bind(7)) << "";
    std::filesystem::create_directories(paths_.bind(9));
  }
  std::function<Result<std::string>()> mountinfo_of(RecordingOps& ops) {
    return [&ops]() -> Result<std::string> {
      std::string text;
      int id = 100;
      for (const std::string& m : ops.mounted) {
        text += std::to_string(id++) + " 1 0:1 / " + m + " rw - tmpfs tmpfs rw\n";
      }
      return text;
    };
  }

  testing_support::TempDir state_{"moat-rootfs"};
  ContainerPaths paths_;
};

TEST_F(TeardownTest, UnmountsNewestFirstThenRemovesMountPoints) {
  RecordingOps ops;
  ops.mounted = {"/elsewhere", paths_.rootfs(), paths_.bind(7), paths_.bind(9)};
  ASSERT_TRUE(teardown(ops, paths_, mountinfo_of(ops)));
  ASSERT_GE(ops.calls.size(), 3U);
  EXPECT_EQ(ops.calls[0], "umount " + paths_.bind(9));
  EXPECT_EQ(ops.calls[1], "umount " + paths_.bind(7));
  EXPECT_EQ(ops.calls[2], "umount " + paths_.rootfs());
  // The record's temporary too: a crash while writing the record leaves it.
  const std::vector<std::string> tail(ops.calls.end() - 5, ops.calls.end());
  EXPECT_EQ(tail, (std::vector<std::string>{"remove " + paths_.binds(), "remove " + paths_.rootfs(),
                                            "remove " + paths_.record_temporary(), "remove " + paths_.record(),
                                            "remove " + paths_.dir}));
  EXPECT_EQ(ops.mounted, (std::vector<std::string>{"/elsewhere"}));
}

TEST_F(TeardownTest, KeepsEverythingWhileAMountRemains) {
  RecordingOps ops;
  ops.unmount_fails = true;
  ops.mounted = {paths_.rootfs()};
  auto r = teardown(ops, paths_, mountinfo_of(ops));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "mounts remain under " + paths_.dir + " (first: " +
                                   paths_.rootfs() + "); its mount points are kept");
  EXPECT_EQ(ops.calls, (std::vector<std::string>{"umount " + paths_.rootfs()}));
}

}  // namespace
}  // namespace moat::runtime::rootfs
