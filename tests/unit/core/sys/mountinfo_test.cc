#include "core/sys/mountinfo.h"

#include <gtest/gtest.h>

namespace moat::core::sys {
namespace {

// Shapes taken from a Debian 12 host running dockerd 20.10 (overlay2).
constexpr const char* kMountinfo =
    "22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw\n"
    "51 42 0:41 / /var/lib/docker/overlay2/abc/merged rw,relatime shared:2 - overlay overlay "
    "rw,lowerdir=/var/lib/docker/overlay2/l/L1:/var/lib/docker/overlay2/l/L2,"
    "upperdir=/var/lib/docker/overlay2/abc/diff,workdir=/var/lib/docker/overlay2/abc/work\n"
    "60 27 0:45 / /run/moat/containers/abc/rootfs rw,relatime - overlay none "
    "rw,lowerdir+=/,lowerdir+=/,upperdir=/diff,workdir=/work\n"
    "61 27 254:0 /var/lib/docker/containers/abc/hosts /run/moat/containers/abc/binds/9 "
    "rw,relatime - ext4 /dev/vda rw\n"
    "62 27 0:46 / /mnt/with\\040space rw - tmpfs tmpfs rw\n"
    "not a mountinfo line\n";

TEST(MountInfo, ParsesEntriesAndUnescapes) {
  const auto mounts = parse_mountinfo(kMountinfo);
  ASSERT_EQ(mounts.size(), 5U);
  EXPECT_EQ(mounts[1].mount_point, "/var/lib/docker/overlay2/abc/merged");
  EXPECT_EQ(mounts[1].fs_type, "overlay");
  EXPECT_EQ(mounts[1].source, "overlay");
  EXPECT_EQ(mounts[4].mount_point, "/mnt/with space");
  EXPECT_EQ(unescape_octal("a\\011b\\134"), "a\tb\\");
  EXPECT_EQ(unescape_octal("end\\04"), "end\\04");
}

TEST(MountInfo, FindsMountsAtAndUnder) {
  const auto mounts = parse_mountinfo(kMountinfo);
  EXPECT_FALSE(mount_at(mounts, "/var/lib/docker/overlay2/abc"));
  ASSERT_TRUE(mount_at(mounts, "/var/lib/docker/overlay2/abc/merged"));
  EXPECT_EQ(mounts_under(mounts, "/run/moat/containers/abc"),
            (std::vector<std::string>{"/run/moat/containers/abc/binds/9",
                                      "/run/moat/containers/abc/rootfs"}));
  EXPECT_TRUE(mounts_under(mounts, "/run/moat/containers/ab").empty());
}

TEST(MountInfo, ReadsOverlayLayers) {
  const auto mounts = parse_mountinfo(kMountinfo);
  auto layers = overlay_layers(mounts[1], "/var/lib/docker/overlay2");
  ASSERT_TRUE(layers) << layers.error().message;
  EXPECT_EQ(layers->lower_dirs, (std::vector<std::string>{"/var/lib/docker/overlay2/l/L1",
                                                          "/var/lib/docker/overlay2/l/L2"}));
  EXPECT_EQ(layers->upper_dir, "/var/lib/docker/overlay2/abc/diff");
  EXPECT_EQ(layers->work_dir, "/var/lib/docker/overlay2/abc/work");
  EXPECT_TRUE(layers->other_options.empty());
}

TEST(MountInfo, KeepsAnOverlaysOtherOptionsToMountItAgain) {
  MountInfoEntry m{"/m", "overlay", "overlay",
                   "rw,lowerdir=/a,upperdir=/u,workdir=/w,index=off,userxattr,redirect_dir=nofollow", "0:41", "/"};
  auto layers = overlay_layers(m, "/");
  ASSERT_TRUE(layers) << layers.error().message;
  EXPECT_EQ(layers->other_options, (std::vector<std::string>{"index=off", "userxattr", "redirect_dir=nofollow"}));
}

TEST(MountInfo, ResolvesRelativeLayersAgainstTheDriverHome) {
  MountInfoEntry m{"/h/abc/merged", "overlay", "overlay",
                   "rw,lowerdir=l/A:l/B,upperdir=abc/diff,workdir=abc/work", "0:41", "/"};
  auto layers = overlay_layers(m, "/h");
  ASSERT_TRUE(layers);
  EXPECT_EQ(layers->lower_dirs, (std::vector<std::string>{"/h/l/A", "/h/l/B"}));
  EXPECT_EQ(layers->upper_dir, "/h/abc/diff");
}

TEST(MountInfo, RefusesOverlaysItCannotReproduce) {
  MountInfoEntry no_upper{"/m", "overlay", "overlay", "ro,lowerdir=/a:/b", "0:41", "/"};
  EXPECT_EQ(overlay_layers(no_upper, "/").error().message,
            "overlay /m lacks lower, upper or work layers in its mount options");
  MountInfoEntry data{"/m", "overlay", "overlay",
                      "rw,lowerdir=/a,datadir+=/d,upperdir=/u,workdir=/w", "0:41", "/"};
  EXPECT_EQ(overlay_layers(data, "/").error().message,
            "overlay /m has data-only layers, which moat-runc cannot ID-map");
  MountInfoEntry escaped{"/m", "overlay", "overlay", "rw,lowerdir=/a\\:b,upperdir=/u,workdir=/w", "0:41", "/"};
  EXPECT_EQ(overlay_layers(escaped, "/").error().message,
            "overlay layer path \"/a\\\" of /m cannot be read unambiguously");
  MountInfoEntry ext4{"/m", "ext4", "/dev/vda", "rw", "254:0", "/"};
  EXPECT_EQ(overlay_layers(ext4, "/").error().message, "/m is a ext4 mount, not an overlay");
}

TEST(MountInfo, FindsTheHostDirectoryABindMountShows) {
  const auto mounts = parse_mountinfo(
      "27 1 254:0 / / rw - ext4 /dev/vda rw\n"
      "60 27 254:0 /srv/docker /var/lib/docker rw - ext4 /dev/vda rw\n"
      "90 60 254:0 /home/dev/my\\040dir /var/lib/docker/volumes/bv/_data rw - ext4 /dev/vda rw\n"
      "91 27 0:50 / /var/lib/docker/volumes/tv/_data rw - tmpfs tmpfs rw\n"
      "95 27 254:0 /home/dev/my\\040dir /run/moat/containers/c/binds/1 rw - ext4 /dev/vda rw\n");
  ASSERT_EQ(mounts.size(), 5U);
  EXPECT_EQ(mounts[2].device, "254:0");
  EXPECT_EQ(mounts[2].root, "/home/dev/my dir");
  EXPECT_EQ(bind_origin(mounts, "/var/lib/docker/volumes/bv/_data"), "/home/dev/my dir");
  EXPECT_EQ(bind_origin(mounts, "/var/lib/docker/volumes/bv/_data/a/b"), "/home/dev/my dir/a/b");
  // The data root is itself a bind of /srv/docker.
  EXPECT_EQ(bind_origin(mounts, "/var/lib/docker/volumes/plain/_data"), "/srv/docker/volumes/plain/_data");
  EXPECT_EQ(bind_origin(mounts, "/etc"), std::nullopt);
  EXPECT_EQ(bind_origin(mounts, "/var/lib/docker/volumes/tv/_data"), std::nullopt);
  // Without the host's root mount only the runtime's own clone shows that
  // directory, and that is no origin.
  const std::vector<MountInfoEntry> without_root{mounts[2], mounts[4]};
  EXPECT_EQ(bind_origin(without_root, "/var/lib/docker/volumes/bv/_data", "/run/moat"), std::nullopt);
}

}  // namespace
}  // namespace moat::core::sys
