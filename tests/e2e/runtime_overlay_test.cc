// moat-runc's ID-mapped copy of an overlay root, built from the same layers
// as the engine's: the container sees every layer with its image ownership,
// and what container root writes lands in the upper layer owned as the
// image would own it. Layers that sit beneath one directory share one
// ID-mapped clone of it; a layer on a mount of its own gets a clone of its
// own. Both are run here on a root the test mounts the way the engine does
// (lowerdir, upperdir, workdir beside the upper layer), with the real runc.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "harness/command.h"
#include "harness/runtime_bundle.h"
#include "harness/test_stack.h"

namespace moat::testing {
namespace {

namespace fs = std::filesystem;

std::string read_file(const std::string& path) {
  std::stringstream text;
  text << std::ifstream(path).rdbuf();
  return text.str();
}

class RuntimeOverlay : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    dir_ = scratch_dir() + "/runtime-overlay";
    unmount_test_mounts();
    fs::remove_all(dir_);
    for (const char* sub : {"/layers/tools/bin", "/layers/data", "/layers/box/diff", "/layers/box/work",
                            "/bundle/rootfs", "/state", "/runc"}) {
      fs::create_directories(dir_ + sub);
    }
    if (data_on_own_mount()) {
      ASSERT_EQ(run("mount -t tmpfs -o size=1m,mode=0755 moat-test-layer " + dir_ + "/layers/data").exit_code, 0);
    }
    ASSERT_EQ(run("cp /bin/busybox " + dir_ + "/layers/tools/bin/ && for c in sh stat cat; do ln -s busybox " + dir_ +
                  "/layers/tools/bin/$c; done && echo image > " + dir_ + "/layers/data/owned-by-1000 && chown 1000:1000 " +
                  dir_ + "/layers/data/owned-by-1000")
                  .exit_code,
              0);
    const auto mounted = run("mount -t overlay overlay -o lowerdir=" + dir_ + "/layers/data:" + dir_ +
                             "/layers/tools,upperdir=" + dir_ + "/layers/box/diff,workdir=" + dir_ +
                             "/layers/box/work " + dir_ + "/bundle/rootfs");
    ASSERT_EQ(mounted.exit_code, 0) << mounted.all();
    auto config = runc_default_config(dir_ + "/bundle");
    config["root"]["readonly"] = false;
    config["process"]["args"] = {
        "sh", "-c", "stat -c '%n %u' /owned-by-1000 /bin/busybox > /result && cat /proc/self/uid_map >> /result"};
    config["linux"]["namespaces"].push_back({{"type", "cgroup"}});
    std::ofstream(dir_ + "/bundle/config.json") << config.dump();
    write_protected_paths(dir_ + "/state", dir_);
  }

  void TearDown() override {
    run(moat_runc("delete -f " + kId));
    unmount_test_mounts();
    fs::remove_all(dir_);
  }

  void unmount_test_mounts() const {
    run("umount " + dir_ + "/bundle/rootfs 2>/dev/null; umount " + dir_ + "/layers/data 2>/dev/null");
  }

  static bool data_on_own_mount() { return GetParam(); }

  std::string moat_runc(const std::string& args) const {
    return bin_dir() + "/moat-runc --moat-state " + dir_ + "/state --root " + dir_ + "/runc " + args +
           " < /dev/null > " + dir_ + "/output 2>&1";
  }

  const std::string kId = "overlay1";
  std::string dir_;
};

TEST_P(RuntimeOverlay, ShowsEveryLayerWithItsOwnersAndWritesTheUpperLayerAsTheImageOwnsIt) {
  // Traced, so the test knows which layout moat-runc took: one clone for
  // layers beneath one directory, a clone each otherwise. moat-runc alone
  // (runc and the container outlive create); ASan's leak check cannot stop
  // threads under strace, other tests check for leaks.
  const std::string trace = dir_ + "/open_tree.trace";
  ASSERT_EQ(run("ASAN_OPTIONS=detect_leaks=0 strace -qq -e trace=open_tree -o " + trace + " " +
                moat_runc("create --bundle " + dir_ + "/bundle " + kId))
                .exit_code,
            0)
      << read_file(dir_ + "/output");
  const auto clones = run("grep -c 'open_tree(.*OPEN_TREE_CLONE' " + trace).out;
  EXPECT_EQ(clones == "1\n", !data_on_own_mount()) << clones;
  ASSERT_EQ(run(moat_runc("start " + kId)).exit_code, 0) << read_file(dir_ + "/output");
  const std::string result = dir_ + "/layers/box/diff/result";
  for (int i = 0; i < 200 && read_file(result).find("65536") == std::string::npos; ++i) {
    run("sleep 0.05");
  }
  const std::string text = read_file(result);
  EXPECT_NE(text.find("/owned-by-1000 1000\n"), std::string::npos) << text;
  EXPECT_NE(text.find("/bin/busybox 0\n"), std::string::npos) << text;
  // Container root is a range's first id on the host, never host root...
  std::smatch map;
  ASSERT_TRUE(std::regex_search(text, map, std::regex(R"(\n\s*0\s+([0-9]+)\s+65536\n)"))) << text;
  EXPECT_GE(std::stoul(map[1]), 65536UL) << text;
  // ...and yet its file is owned by root on disk, as a commit would see it.
  EXPECT_EQ(run("stat -c %u:%g " + result).out, "0:0\n");
  EXPECT_EQ(run(moat_runc("delete -f " + kId)).exit_code, 0) << read_file(dir_ + "/output");
  EXPECT_EQ(run("grep -c ' " + dir_ + "/state' /proc/self/mountinfo").out, "0\n");
}

// The overlay is volatile (its unmount does not write out the whole host
// filesystem), which leaves a marker in its work directory that makes the
// kernel refuse the next overlay there. The container runs again on the
// same layers, as `docker start` of a stopped container does.
TEST_P(RuntimeOverlay, RunsAgainOnTheSameLayersAfterItsVolatileOverlayWasUnmounted) {
  // The kernel's marker, beneath moat-runc's own work directory (moat-work).
  const fs::path marker = fs::path(dir_) / "layers" / "box" / "moat-work" / "work" / "incompat" / "volatile";
  const std::string result = dir_ + "/layers/box/diff/result";
  const std::string config = dir_ + "/bundle/config.json";
  fs::copy_file(config, config + ".engine");
  for (int round = 1; round <= 2; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    fs::remove(result);
    // moat-runc rewrites the bundle's config; the engine writes a new one for each create.
    fs::copy_file(config + ".engine", config, fs::copy_options::overwrite_existing);
    ASSERT_EQ(run(moat_runc("create --bundle " + dir_ + "/bundle " + kId)).exit_code, 0) << read_file(dir_ + "/output");
    const auto options = run("grep ' " + dir_ + "/state/' /proc/self/mountinfo | grep -c ' overlay .*volatile'");
    EXPECT_EQ(options.out, "1\n") << run("grep ' " + dir_ + "/state/' /proc/self/mountinfo").out;
    ASSERT_EQ(run(moat_runc("start " + kId)).exit_code, 0) << read_file(dir_ + "/output");
    for (int i = 0; i < 200 && read_file(result).find("65536") == std::string::npos; ++i) run("sleep 0.05");
    EXPECT_NE(read_file(result).find("/bin/busybox 0\n"), std::string::npos) << read_file(result);
    ASSERT_EQ(run(moat_runc("delete -f " + kId)).exit_code, 0) << read_file(dir_ + "/output");
    EXPECT_TRUE(fs::exists(marker)) << "the kernel left no volatile marker in " << marker;
  }
}

std::string layout_name(const ::testing::TestParamInfo<bool>& layout) {
  return layout.param ? "ALayerOnAMountOfItsOwn" : "LayersBeneathOneDirectory";
}

INSTANTIATE_TEST_SUITE_P(, RuntimeOverlay, ::testing::Bool(), layout_name);

}  // namespace
}  // namespace moat::testing
