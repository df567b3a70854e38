#include "runtime/spec/protected_mounts.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "support/temp_dir.h"

namespace moat::runtime::spec {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class ProtectedMounts : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(dir_ + "/run/moat");
    fs::create_directories(dir_ + "/data/containers/c1");
    fs::create_directories(dir_ + "/data/volumes/v/_data");
    fs::create_directories(dir_ + "/home/dev/project");
    std::ofstream(dir_ + "/run/moat/engine.sock") << "";
    fs::create_symlink(dir_ + "/run/moat/engine.sock", dir_ + "/home/dev/sock-link");
    fs::create_symlink(dir_ + "/run", dir_ + "/home/dev/run-link");
    protect_ = {{dir_ + "/run/moat", dir_ + "/data"}, dir_ + "/data"};
  }

  std::string check(const std::string& source) {
    const json config = {{"mounts", {{{"destination", "/x"}, {"type", "bind"}, {"source", source},
                                      {"options", {"rbind", "rw"}}}}}};
    const auto r = check_bind_sources(config, protect_, "c1");
    return r ? "allowed" : r.error().message;
  }

  testing_support::TempDir temp_{"moat-protect"};
  std::string dir_ = temp_.str();
  ProtectedPaths protect_;
};

TEST_F(ProtectedMounts, AllowsOrdinaryDirectoriesAndTheEnginesOwnFiles) {
  EXPECT_EQ(check(dir_ + "/home/dev/project"), "allowed");
  EXPECT_EQ(check(dir_ + "/data/containers/c1/hosts"), "allowed");
  EXPECT_EQ(check(dir_ + "/data/volumes/v/_data"), "allowed");
}

TEST_F(ProtectedMounts, RefusesTheSocketItsParentsAndLinksToIt) {
  const std::string sock = dir_ + "/run/moat/engine.sock";
  const std::string tail = ", which no container may mount (Enhanced Container Isolation protects the engine and "
                           "Moat's own files)";
  EXPECT_EQ(check(sock), "moat-runc: mount of " + sock + " is refused: it reaches " + dir_ + "/run/moat" + tail);
  EXPECT_EQ(check(dir_ + "/run"), "moat-runc: mount of " + dir_ + "/run is refused: it reaches " + dir_ + "/run/moat" + tail);
  EXPECT_EQ(check("/"), "moat-runc: mount of / is refused: it reaches " + dir_ + "/run/moat" + tail);
  EXPECT_EQ(check(dir_ + "/home/dev/sock-link"), "moat-runc: mount of " + dir_ + "/home/dev/sock-link (" + sock +
                                                     ") is refused: it reaches " + dir_ + "/run/moat" + tail);
  EXPECT_EQ(check(dir_ + "/home/dev/run-link/moat"), "moat-runc: mount of " + dir_ + "/home/dev/run-link/moat (" +
                                                         dir_ + "/run/moat) is refused: it reaches " + dir_ +
                                                         "/run/moat" + tail);
}

TEST_F(ProtectedMounts, RefusesTheDataRootOtherContainersAndTheVolumesDirectory) {
  EXPECT_NE(check(dir_ + "/data"), "allowed");
  EXPECT_NE(check(dir_ + "/data/containers"), "allowed");
  EXPECT_NE(check(dir_ + "/data/containers/c2"), "allowed");
  EXPECT_NE(check(dir_ + "/data/containers/c1"), "allowed");
  EXPECT_NE(check(dir_ + "/data/volumes"), "allowed");
  EXPECT_NE(check(dir_ + "/data/volumes/v"), "allowed");
}

TEST_F(ProtectedMounts, AllowsBuildKitsFilesForBuildStepsOnly) {
  const std::string executor = dir_ + "/data/buildkit/executor";
  fs::create_directories(executor + "/step1/rootfs");
  std::ofstream(executor + "/resolv.conf") << "nameserver 192.0.2.1\n";
  std::ofstream(executor + "/hosts.42") << "127.0.0.1 localhost\n";
  EXPECT_EQ(check(executor + "/resolv.conf"), "allowed");
  EXPECT_EQ(check(executor + "/hosts.42"), "allowed");
  // Not the directory, not a step's bundle, not a file deeper down.
  EXPECT_NE(check(executor), "allowed");
  EXPECT_NE(check(executor + "/step1"), "allowed");
  EXPECT_NE(check(executor + "/step1/rootfs"), "allowed");
  std::ofstream(executor + "/step1/config.json") << "{}";
  EXPECT_NE(check(executor + "/step1/config.json"), "allowed");
  // Nor a link or a hard link standing in for one of those files.
  fs::create_symlink(dir_ + "/run/moat/engine.sock", executor + "/hosts");
  EXPECT_NE(check(executor + "/hosts"), "allowed");
  std::ofstream(dir_ + "/data/engine-key.json") << "{}";
  fs::create_hard_link(dir_ + "/data/engine-key.json", executor + "/hosts.7");
  EXPECT_NE(check(executor + "/hosts.7"), "allowed");
}

TEST_F(ProtectedMounts, RefusesAHardLinkByInode) {
  fs::create_directories(dir_ + "/other");
  std::ofstream(dir_ + "/run/moat/settings.json") << "{}";
  fs::create_hard_link(dir_ + "/run/moat/settings.json", dir_ + "/other/innocent.json");
  protect_.paths.push_back(dir_ + "/run/moat/settings.json");
  EXPECT_NE(check(dir_ + "/other/innocent.json"), "allowed");
}

TEST_F(ProtectedMounts, IgnoresMountsThatAreNotBinds) {
  const json config = {{"mounts", {{{"destination", "/proc"}, {"type", "proc"}, {"source", "proc"}}}}};
  EXPECT_TRUE(check_bind_sources(config, protect_, "c1"));
}

// docker volume create -o type=none -o o=bind -o device=<dir> straight at
// the engine: the volume's _data is a bind mount of that host directory.
TEST_F(ProtectedMounts, AVolumeBoundToAProtectedDirectoryIsRefusedByWhatItShows) {
  const std::string volume = dir_ + "/data/volumes/v/_data";
  const json config = {{"mounts", {{{"destination", "/x"}, {"type", "bind"}, {"source", volume},
                                    {"options", {"rbind", "rw"}}}}}};
  const std::string root_line = "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n";
  const auto bound_to = [&](const std::string& host_dir) {
    const std::string info = root_line + "90 27 254:0 " + host_dir + " " + volume + " rw - ext4 /dev/vda rw\n";
    const auto r = check_bind_sources(config, protect_, "c1", info);
    return r ? std::string("allowed") : r.error().message;
  };
  const std::string tail = ", which no container may mount (Enhanced Container Isolation protects the engine and "
                           "Moat's own files)";
  EXPECT_EQ(bound_to(dir_ + "/run"), "moat-runc: mount of " + volume + " (" + dir_ + "/run) is refused: it reaches " +
                                         dir_ + "/run/moat" + tail);
  EXPECT_EQ(bound_to(dir_ + "/run/moat/sub"), "moat-runc: mount of " + volume + " (" + dir_ +
                                                  "/run/moat/sub) is refused: it reaches " + dir_ + "/run/moat" + tail);
  EXPECT_EQ(bound_to(dir_ + "/home/dev/project"), "allowed");
  // A plain named volume: nothing is mounted on it, or the data root is
  // mounted on itself (as moatctl up does).
  EXPECT_TRUE(check_bind_sources(config, protect_, "c1", root_line));
  EXPECT_TRUE(check_bind_sources(config, protect_, "c1",
                                 root_line + "42 27 254:0 " + dir_ + "/data " + dir_ + "/data rw - ext4 /dev/vda rw\n"));
}

TEST_F(ProtectedMounts, AMissingListFailsClosed) {
  const auto r = load_protected_paths(dir_ + "/nowhere");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "cannot read " + dir_ +
                                   "/nowhere/protected-paths.json: No such file or directory; refusing to start "
                                   "containers without the protected path list");
}

// A list that would protect nothing, or nothing fixed, is refused like a
// missing one: moat-runc then starts no container.
TEST_F(ProtectedMounts, AListThatProtectsLessThanItSaysFailsClosed) {
  const std::string file = dir_ + "/protected-paths.json";
  const auto loaded = [&](const std::string& text) {
    std::ofstream(file, std::ios::trunc) << text;
    const auto r = load_protected_paths(dir_);
    return r ? std::string("loaded") : r.error().message;
  };
  EXPECT_EQ(loaded(R"({"paths": [], "engineDataRoot": "/var/lib/moat/engine-data"})"),
            file + " lists no protected path; refusing to start containers");
  EXPECT_EQ(loaded(R"({"paths": ["/run/moat", "run/moat"], "engineDataRoot": "/var/lib/moat/engine-data"})"),
            file + " is malformed: paths must be absolute paths; refusing to start containers");
  EXPECT_EQ(loaded(R"({"paths": ["/run/moat", ""], "engineDataRoot": "/var/lib/moat/engine-data"})"),
            file + " is malformed: paths must be absolute paths; refusing to start containers");
  EXPECT_EQ(loaded(R"({"paths": ["/run/moat"], "engineDataRoot": ""})"),
            file + " is malformed: engineDataRoot must be an absolute path; refusing to start containers");
  EXPECT_EQ(loaded(R"({"paths": ["/run/moat"], "engineDataRoot": "/var/lib/moat/engine-data"})"), "loaded");
}

}  // namespace
}  // namespace moat::runtime::spec
