#include "runtime/rootfs/resolve_in_root.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "support/temp_dir.h"

namespace moat::runtime::rootfs {
namespace {

namespace fs = std::filesystem;

// A real directory tree with real symbolic links, standing for an image's
// root filesystem.
class ResolveInRoot : public ::testing::Test {
 protected:
  void dir(const std::string& path) { fs::create_directories(root_ + path); }
  void file(const std::string& path) { std::ofstream(root_ + path) << "x\n"; }
  void link(const std::string& path, const std::string& target) {
    fs::create_symlink(target, root_ + path);
  }
  Result<std::string> resolve(const std::string& path) { return resolve_in_root(root_, path); }
  std::string resolved(const std::string& path) {
    auto r = resolve(path);
    EXPECT_TRUE(r) << path << ": " << (r ? "" : r.error().message);
    return r ? *r : "<error>";
  }
  std::string refusal(const std::string& path) {
    auto r = resolve(path);
    EXPECT_FALSE(r) << path << " resolved to " << (r ? *r : "");
    return r ? "<resolved>" : r.error().message;
  }

  testing_support::TempDir root_dir_{"moat-resolve"};
  std::string root_ = root_dir_.str();
};

TEST_F(ResolveInRoot, PlainDirectoriesAreThemselves) {
  dir("/srv/app/data");
  EXPECT_EQ(resolved("/srv/app/data"), "/srv/app/data");
  EXPECT_EQ(resolved("//srv/./app//data/"), "/srv/app/data");
  EXPECT_EQ(resolved("/srv/app/../app/data"), "/srv/app/data");
  EXPECT_EQ(resolved("srv/app"), "/srv/app");
  EXPECT_EQ(resolved("/"), "/");
  EXPECT_EQ(resolved(""), "/");
  EXPECT_EQ(resolved("/."), "/");
}

TEST_F(ResolveInRoot, AbsoluteLinkIntoProcSelfFdIsFollowedEvenWhenProcIsEmpty) {
  link("/leak", "/proc/self/fd/7");
  // No /proc at all in the image.
  EXPECT_EQ(resolved("/leak"), "/proc/self/fd/7");
  EXPECT_EQ(resolved("/leak/sub"), "/proc/self/fd/7/sub");
  // An empty /proc, as images ship it before runc mounts procfs there.
  dir("/proc");
  EXPECT_EQ(resolved("/leak"), "/proc/self/fd/7");
}

TEST_F(ResolveInRoot, RelativeLinkClimbsOnlyToTheRoot) {
  dir("/a/b");
  dir("/proc");
  link("/a/self", "../../proc/self");
  EXPECT_EQ(resolved("/a/self"), "/proc/self");
  EXPECT_EQ(resolved("/a/self/fd/7"), "/proc/self/fd/7");
  link("/a/b/deep", "../../../../../../proc/thread-self/fd/3");
  EXPECT_EQ(resolved("/a/b/deep"), "/proc/thread-self/fd/3");
  // A parent directory that is itself a link.
  link("/p", "/a/self");
  EXPECT_EQ(resolved("/p/fd/9"), "/proc/self/fd/9");
}

TEST_F(ResolveInRoot, ChainsOfAbsoluteAndRelativeLinks) {
  dir("/y/z");
  link("/w", "/x");
  link("/x", "y/z");
  EXPECT_EQ(resolved("/w"), "/y/z");
  EXPECT_EQ(resolved("/w/sub/dir"), "/y/z/sub/dir");
  // A link target with "." and ".." in it.
  link("/y/z/up", "./../../y/./z/..");
  EXPECT_EQ(resolved("/w/up"), "/y");
}

TEST_F(ResolveInRoot, DotDotNeverLeavesTheRoot) {
  dir("/etc");
  EXPECT_EQ(resolved("/../../../etc"), "/etc");
  EXPECT_EQ(resolved("/../../../nowhere"), "/nowhere");
  link("/up", "../../../../");
  EXPECT_EQ(resolved("/up"), "/");
  EXPECT_EQ(resolved("/up/etc"), "/etc");
  link("/host", "/../../../../tmp");
  EXPECT_EQ(resolved("/host"), "/tmp");
}

TEST_F(ResolveInRoot, LinkLoopsAreRefused) {
  link("/l1", "/l2");
  link("/l2", "l1");
  EXPECT_EQ(refusal("/l1"),
            "/l1: resolving it passes through more than 40 symbolic links (a symbolic link loop, "
            "last at /l1)");
  link("/self", "self");
  EXPECT_EQ(refusal("/self/x"),
            "/self/x: resolving it passes through more than 40 symbolic links (a symbolic link "
            "loop, last at /self)");
}

TEST_F(ResolveInRoot, FortyLinksAreFollowedAndTheFortyFirstIsRefused) {
  dir("/end");
  for (int i = 0; i < 41; ++i) {
    link("/c" + std::to_string(i), i == 40 ? "/end" : "/c" + std::to_string(i + 1));
  }
  EXPECT_EQ(resolved("/c1"), "/end");  // 40 links
  EXPECT_EQ(refusal("/c0"),
            "/c0: resolving it passes through more than 40 symbolic links (a symbolic link loop, "
            "last at /c40)");
}

TEST_F(ResolveInRoot, MissingTailIsAppendedNormalised) {
  dir("/a");
  EXPECT_EQ(resolved("/a/missing/deeper/../x"), "/a/missing/x");
  EXPECT_EQ(resolved("/a/missing/../../b/./c/"), "/b/c");
  link("/a/l", "/real");
  EXPECT_EQ(resolved("/a/l/new"), "/real/new");
}

// After ".." climbs out of a directory runc would create, the rest is
// resolved again: a link there still counts.
TEST_F(ResolveInRoot, DotDotOutOfAMissingDirectoryResolvesLinksAgain) {
  link("/leak", "/proc/self/fd/7");
  EXPECT_EQ(resolved("/missing/../leak"), "/proc/self/fd/7");
  dir("/a");
  link("/a/up", "..");
  EXPECT_EQ(resolved("/a/new/../up/leak"), "/proc/self/fd/7");
}

TEST_F(ResolveInRoot, DanglingLinkLeadsWhereItPoints) {
  link("/d", "/nowhere/dir");
  EXPECT_EQ(resolved("/d/sub"), "/nowhere/dir/sub");
  link("/r", "../gone");
  EXPECT_EQ(resolved("/r"), "/gone");
}

TEST_F(ResolveInRoot, FileInTheMiddleIsRefused) {
  file("/file");
  EXPECT_EQ(resolved("/file"), "/file");
  EXPECT_EQ(refusal("/file/x"), "/file/x: cannot open /file/x inside the root: Not a directory");
  link("/f", "file");
  EXPECT_EQ(refusal("/f/x/y"), "/f/x/y: cannot open /file/x inside the root: Not a directory");
}

TEST_F(ResolveInRoot, RootThatCannotBeOpenedIsRefused) {
  auto r = resolve_in_root(root_ + "/absent", "/");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "cannot open the root directory " + root_ + "/absent: No such file or directory");
}

TEST_F(ResolveInRoot, RootGivenAsADescriptorStaysOpen) {
  dir("/srv");
  link("/s", "srv");
  const int fd = ::open(root_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  auto first = resolve_in_root(fd, "/s");
  auto second = resolve_in_root(fd, "/s/x");
  ASSERT_TRUE(first);
  ASSERT_TRUE(second);
  EXPECT_EQ(*first, "/srv");
  EXPECT_EQ(*second, "/srv/x");
  ::close(fd);
}

// The host's own /proc stands for a running container's: its magic links
// jump to objects and are refused, its plain links are followed.
TEST_F(ResolveInRoot, MagicLinksOfProcAreRefused) {
  const std::string pid = std::to_string(::getpid());
  auto cwd = resolve_in_root(std::string("/"), "/proc/self/cwd");
  ASSERT_FALSE(cwd);
  EXPECT_EQ(cwd.error().message,
            "/proc/self/cwd: it leads to /proc/" + pid +
                "/cwd, a magic link of /proc that jumps to an open object instead of naming a path "
                "(RESOLVE_NO_MAGICLINKS)");
  const int open_fd = ::open(root_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  ASSERT_GE(open_fd, 0);
  const std::string fd = std::to_string(open_fd);
  link("/leak", "/proc/self/fd/" + fd);
  const std::string via_link = root_ + "/leak";
  auto leak = resolve_in_root(std::string("/"), via_link);
  ::close(open_fd);
  ASSERT_FALSE(leak);
  EXPECT_EQ(leak.error().message,
            via_link + ": it leads to /proc/" + pid + "/fd/" + fd +
                ", a magic link of /proc that jumps to an open object instead of naming a path "
                "(RESOLVE_NO_MAGICLINKS)");
  auto self = resolve_in_root(std::string("/"), "/proc/self/fd");
  ASSERT_TRUE(self) << self.error().message;
  EXPECT_EQ(*self, "/proc/" + pid + "/fd");
}

TEST_F(ResolveInRoot, AbsoluteLinksInTheRootNeverReachTheHost) {
  // The host has /etc/passwd; the root has no /etc: the link must not
  // leave the root to find it.
  link("/passwd", "/etc/passwd");
  EXPECT_EQ(resolved("/passwd"), "/etc/passwd");
  EXPECT_FALSE(fs::exists(root_ + "/etc"));
  dir("/etc");
  file("/etc/passwd");
  EXPECT_EQ(refusal("/passwd/x"), "/passwd/x: cannot open /etc/passwd/x inside the root: Not a directory");
}

// What runc lays over the image before the process starts.
class ResolveInTree : public ResolveInRoot {
 protected:
  std::string in_tree(const std::string& path, const ContainerTree& tree) {
    auto r = resolve_in_root(root_, path, tree);
    EXPECT_TRUE(r) << path << ": " << (r ? "" : r.error().message);
    return r ? *r : "<error>";
  }
  std::string refused_in_tree(const std::string& path, const ContainerTree& tree) {
    auto r = resolve_in_root(root_, path, tree);
    EXPECT_FALSE(r) << path << " resolved to " << (r ? *r : "");
    return r ? "<resolved>" : r.error().message;
  }

  testing_support::TempDir volume_dir_{"moat-volume"};
  std::string volume_ = volume_dir_.str();
};

TEST_F(ResolveInTree, LinkInsideAVolumeCounts) {
  fs::create_directories(volume_ + "/app");
  fs::create_symlink("/proc/self/fd/7", volume_ + "/leak");
  fs::create_symlink("../../../proc/self", volume_ + "/up");
  const ContainerTree tree{{TreeMount{"/data", volume_}}, {}};
  EXPECT_EQ(in_tree("/data/leak", tree), "/proc/self/fd/7");
  EXPECT_EQ(in_tree("/data/up/fd/3", tree), "/proc/self/fd/3");
  EXPECT_EQ(in_tree("/data/app", tree), "/data/app");
  EXPECT_EQ(in_tree("/data/new/dir", tree), "/data/new/dir");
  EXPECT_EQ(in_tree("/data", tree), "/data");
  // Without the volume, the image has nothing there.
  EXPECT_EQ(resolved("/data/leak"), "/data/leak");
  // A destination below directories the image lacks: runc creates them.
  const ContainerTree deep{{TreeMount{"/srv/app/data", volume_}}, {}};
  EXPECT_EQ(in_tree("/srv/app/data/leak", deep), "/proc/self/fd/7");
  EXPECT_EQ(in_tree("/srv/app/other", deep), "/srv/app/other");
}

TEST_F(ResolveInTree, DestinationIsWhereTheImageLinksIt) {
  link("/data", "/srv");
  fs::create_symlink("/proc/self/fd/7", volume_ + "/leak");
  const ContainerTree tree{{TreeMount{"/data", volume_}}, {}};
  EXPECT_EQ(in_tree("/data/leak", tree), "/proc/self/fd/7");
  EXPECT_EQ(in_tree("/srv/leak", tree), "/proc/self/fd/7");
  EXPECT_EQ(in_tree("/srv/x", tree), "/srv/x");
}

TEST_F(ResolveInTree, EmptyFilesystemsAndRuntimeLinks) {
  dir("/dev");
  const ContainerTree tree{{TreeMount{"/dev", ""}, TreeMount{"/dev/pts", ""}},
                           {TreeLink{"/dev/fd", "/proc/self/fd"}, TreeLink{"/dev/ptmx", "pts/ptmx"}}};
  EXPECT_EQ(in_tree("/dev/fd/7", tree), "/proc/self/fd/7");
  EXPECT_EQ(in_tree("/dev/ptmx", tree), "/dev/pts/ptmx");
  EXPECT_EQ(in_tree("/dev", tree), "/dev");
  EXPECT_EQ(in_tree("/dev/shm/x", tree), "/dev/shm/x");
  // An image's own /dev/fd is hidden by the empty filesystem.
  dir("/dev/fd/7");
  EXPECT_EQ(resolved("/dev/fd/7"), "/dev/fd/7");
  const ContainerTree no_links{{TreeMount{"/dev", ""}}, {}};
  EXPECT_EQ(in_tree("/dev/fd/7", no_links), "/dev/fd/7");
  link("/devlink", "/dev/stdin");
  const ContainerTree stdin_link{{TreeMount{"/dev", ""}}, {TreeLink{"//dev/./stdin", "/proc/self/fd/0"}}};
  EXPECT_EQ(in_tree("/devlink", stdin_link), "/proc/self/fd/0");
}

TEST_F(ResolveInTree, LaterMountsHideEarlierOnes) {
  const std::string inner = volume_ + "/inner";
  fs::create_directories(volume_ + "/outer/sub");
  fs::create_directories(inner);
  fs::create_symlink("/proc/self/fd/7", volume_ + "/outer/sub/leak");
  const ContainerTree tree{{TreeMount{"/data", volume_ + "/outer"}, TreeMount{"/data/sub", inner}}, {}};
  EXPECT_EQ(in_tree("/data/sub/leak", tree), "/data/sub/leak");
  const ContainerTree reversed{{TreeMount{"/data/sub", inner}, TreeMount{"/data", volume_ + "/outer"}}, {}};
  EXPECT_EQ(in_tree("/data/sub/leak", reversed), "/proc/self/fd/7");
}

TEST_F(ResolveInTree, FileBindsAndMissingSources) {
  std::ofstream(volume_ + "/hosts") << "127.0.0.1 localhost\n";
  const ContainerTree tree{{TreeMount{"/etc/hosts", volume_ + "/hosts"}}, {}};
  EXPECT_EQ(in_tree("/etc/hosts", tree), "/etc/hosts");
  EXPECT_EQ(refused_in_tree("/etc/hosts/x", tree),
            "/etc/hosts/x: cannot open /etc/hosts/x inside the root: Not a directory");
  const ContainerTree missing{{TreeMount{"/data", volume_ + "/absent"}}, {}};
  EXPECT_EQ(refused_in_tree("/", missing),
            "cannot open " + volume_ + "/absent, the bind source of /data: No such file or directory");
}

TEST_F(ResolveInTree, DestinationThatLoopsIsRefused) {
  link("/l1", "/l2");
  link("/l2", "/l1");
  const ContainerTree tree{{TreeMount{"/l1/data", volume_}}, {}};
  EXPECT_EQ(refused_in_tree("/", tree),
            "mount destination /l1/data: resolving it passes through more than 40 symbolic links (a "
            "symbolic link loop, last at /l1)");
}

TEST_F(ResolveInTree, MagicLinkInABindOfTheHostsProcIsRefused) {
  const ContainerTree tree{{TreeMount{"/hostproc", "/proc"}}, {}};
  const std::string pid = std::to_string(::getpid());
  EXPECT_EQ(refused_in_tree("/hostproc/self/cwd", tree),
            "/hostproc/self/cwd: it leads to /hostproc/" + pid +
                "/cwd, a magic link of /proc that jumps to an open object instead of naming a path "
                "(RESOLVE_NO_MAGICLINKS)");
  EXPECT_EQ(in_tree("/hostproc/self/fd", tree), "/hostproc/" + pid + "/fd");
}

}  // namespace
}  // namespace moat::runtime::rootfs
