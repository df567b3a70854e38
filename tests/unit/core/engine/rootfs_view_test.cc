#include "core/engine/rootfs_view.h"

#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/sys/mountinfo.h"
#include "support/temp_dir.h"

namespace moat::core::engine {
namespace {

using testing_support::TempDir;

const std::string kContainer(64, 'c');
const std::string kLayer = std::string(63, 'e') + "1";

void write(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

std::string read(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(RootfsMountPoint, IsTheMergedDirectoryOfTheContainersLayer) {
  const TempDir root;
  write(root / ("image/overlay2/layerdb/mounts/" + kContainer + "/mount-id"), kLayer);
  const auto point = rootfs_mount_point(root.str(), kContainer);
  ASSERT_TRUE(point) << point.error().message;
  ASSERT_TRUE(*point);
  EXPECT_EQ(**point, root.str() + "/overlay2/" + kLayer + "/merged");
}

TEST(RootfsMountPoint, NothingWithoutTheEnginesLayerRecordAndNoPathFromWhatItDidNotWrite) {
  const TempDir root;
  const auto none = rootfs_mount_point(root.str(), kContainer);
  ASSERT_TRUE(none) << none.error().message;
  EXPECT_FALSE(*none);
  EXPECT_EQ(rootfs_mount_point(root.str(), "../" + kContainer).error().message,
            "\"../" + kContainer + "\" is not a full container id");
  write(root / ("image/overlay2/layerdb/mounts/" + kContainer + "/mount-id"), "../../etc");
  EXPECT_EQ(rootfs_mount_point(root.str(), kContainer).error().message,
            root.str() + "/image/overlay2/layerdb/mounts/" + kContainer + "/mount-id does not name a layer");
}

struct Unmount {
  std::string path;
  ~Unmount() { ::umount2(path.c_str(), MNT_DETACH); }
};

std::size_t mounts_at(const std::string& path) {
  const auto text = core::sys::read_self_mountinfo();
  std::size_t count = 0;
  for (const auto& m : core::sys::parse_mountinfo(text ? *text : "")) count += m.mount_point == path;
  return count;
}

// Two overlays on one upper layer, as the engine's and moat-runc's are: what
// the second writes shows in the first once it is mounted again.
TEST(RemountOverlayFresh, ShowsWhatAnotherOverlayOfTheSameUpperLayerWrote) {
  ASSERT_EQ(::geteuid(), 0U) << "the unit tests run as root (moatd does)";
  const TempDir root;
  for (const char* dir : {"lower/dir", "upper", "work", "work2", "merged", "second"}) {
    std::filesystem::create_directories(root / dir);
  }
  write(root / "lower/dir/old", "old\n");
  const std::string layers = "lowerdir=" + (root / "lower").string() + ",upperdir=" + (root / "upper").string();
  const std::string merged = (root / "merged").string();
  ASSERT_EQ(::mount("overlay", merged.c_str(), "overlay", 0,
                    (layers + ",workdir=" + (root / "work").string() + ",index=off").c_str()),
            0)
      << std::strerror(errno);
  const Unmount unmount_merged{merged};
  EXPECT_EQ(read(root / "merged/dir/old"), "old\n");  // looked up before the other overlay writes
  const std::string second = (root / "second").string();
  ASSERT_EQ(::mount("overlay", second.c_str(), "overlay", 0,
                    (layers + ",workdir=" + (root / "work2").string() + ",index=off").c_str()),
            0)
      << std::strerror(errno);
  const Unmount unmount_second{second};
  write(root / "second/dir/old", "new\n");
  write(root / "second/dir/made", "made\n");

  const auto remounted = remount_overlay_fresh(merged);
  ASSERT_TRUE(remounted) << remounted.error().message;
  EXPECT_TRUE(*remounted);
  EXPECT_EQ(read(root / "merged/dir/old"), "new\n");
  EXPECT_EQ(read(root / "merged/dir/made"), "made\n");
  EXPECT_EQ(mounts_at(merged), 1U);

  const auto nothing = remount_overlay_fresh((root / "lower").string());
  ASSERT_TRUE(nothing) << nothing.error().message;
  EXPECT_FALSE(*nothing);
}

// An engine operation on the same container may be looking up paths while
// moatd mounts it again (two docker cp at once): each lookup finds the old
// overlay or the new one, never the empty directory between them.
TEST(RemountOverlayFresh, LookupsMeanwhileAlwaysFindAnOverlay) {
  ASSERT_EQ(::geteuid(), 0U) << "the unit tests run as root (moatd does)";
  const TempDir root;
  for (const char* dir : {"lower/dir", "upper", "work", "merged"}) std::filesystem::create_directories(root / dir);
  write(root / "lower/dir/file", "file\n");
  const std::string merged = (root / "merged").string();
  ASSERT_EQ(::mount("overlay", merged.c_str(), "overlay", 0,
                    ("lowerdir=" + (root / "lower").string() + ",upperdir=" + (root / "upper").string() +
                     ",workdir=" + (root / "work").string() + ",index=off")
                        .c_str()),
            0)
      << std::strerror(errno);
  const Unmount unmount_merged{merged};

  const std::string file = merged + "/dir/file";
  std::atomic<bool> done{false};
  std::atomic<long> lookups{0};
  std::atomic<long> missed{0};
  std::thread looker([&] {
    struct stat st {};
    while (!done.load()) {
      if (::stat(file.c_str(), &st) != 0) missed.fetch_add(1);
      lookups.fetch_add(1);
    }
  });
  constexpr int kRemounts = 300;
  int remounted = 0;
  std::string error;
  for (int i = 0; i < kRemounts && error.empty(); ++i) {
    const auto result = remount_overlay_fresh(merged);
    if (!result) error = result.error().message;
    remounted += result && *result;
  }
  done.store(true);
  looker.join();
  EXPECT_EQ(error, "");
  EXPECT_EQ(remounted, kRemounts);
  EXPECT_GT(lookups.load(), kRemounts);
  EXPECT_EQ(missed.load(), 0) << "of " << lookups.load() << " lookups during " << kRemounts << " remounts";
  EXPECT_EQ(mounts_at(merged), 1U);
}

}  // namespace
}  // namespace moat::core::engine
