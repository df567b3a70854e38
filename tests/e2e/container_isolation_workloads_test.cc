// Legitimate workloads under Enhanced Container Isolation: containers that
// run side by side stay apart, and a --privileged container can still build
// namespaces and mounts of its own, as Docker-in-Docker does.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <sstream>

#include "e2e/shared_stack.h"

namespace moat::testing {
namespace {

struct IdRange {
  long base = -1;
  long size = -1;
};

// "0 100000 65536" -> {100000, 65536}; anything else -> {-1, -1}.
IdRange parse_map(const std::string& map) {
  std::istringstream in(map);
  long inside = -1;
  IdRange r;
  in >> inside >> r.base >> r.size;
  std::string more;
  if (inside != 0 || (in >> more)) return IdRange{};
  return r;
}

TEST(ContainerIsolationWorkloads, ConcurrentContainersHaveDisjointRangesAndKeepTheirFilesApart) {
  auto& s = shared_stack();
  const std::string shared = developer_home() + "/iso-shared";
  ASSERT_EQ(s.as_developer("rm -rf ~/iso-shared && mkdir ~/iso-shared && chmod 777 ~/iso-shared").exit_code, 0);
  const std::string mounts = "-v " + shared + ":/shared -v iso-vol:/vol";
  ASSERT_EQ(s.developer_docker("run -d --name iso-a " + mounts + " moat-test/busybox sleep 60").exit_code, 0);
  ASSERT_EQ(s.developer_docker("run -d --name iso-b " + mounts + " moat-test/busybox sleep 60").exit_code, 0);

  const IdRange a = parse_map(s.developer_docker("exec iso-a cat /proc/self/uid_map").out);
  const IdRange b = parse_map(s.developer_docker("exec iso-b cat /proc/self/uid_map").out);
  EXPECT_EQ(a.size, 65536);
  EXPECT_EQ(b.size, 65536);
  EXPECT_GE(a.base, 100000);
  EXPECT_GE(b.base, 100000);
  EXPECT_TRUE(a.base + a.size <= b.base || b.base + b.size <= a.base) << a.base << " " << b.base;
  EXPECT_EQ(parse_map(s.developer_docker("exec iso-a cat /proc/self/gid_map").out).base, a.base);

  // In a host directory both share, each root writes as the developer who
  // created it (host_bind_ownership_test.cc): the directory is theirs, not
  // either container's, so one's 0600 file is the other's too.
  auto r = s.developer_docker("exec iso-a sh -c 'echo secret-a > /shared/a && chmod 600 /shared/a && cat /shared/a'");
  EXPECT_EQ(r.out, "secret-a\n") << r.all();
  r = s.developer_docker("exec iso-b cat /shared/a");
  EXPECT_EQ(r.out, "secret-a\n") << r.all();
  struct stat st {};
  ASSERT_EQ(::stat((shared + "/a").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, static_cast<uid_t>(std::stoul(run("id -u " + developer()).out)));
  EXPECT_EQ(st.st_mode & 0777, 0600U);

  // A named volume shows the same ids to both (it is their common data);
  // there the file's own permissions decide between users.
  r = s.developer_docker("exec iso-a sh -c 'mkdir -p /vol/u && chown 1000 /vol/u && chmod 700 /vol/u'");
  ASSERT_EQ(r.exit_code, 0) << r.all();
  r = s.developer_docker("exec -u 1000 iso-a sh -c 'echo secret-1000 > /vol/u/f && chmod 600 /vol/u/f && cat /vol/u/f'");
  EXPECT_EQ(r.out, "secret-1000\n") << r.all();
  r = s.developer_docker("exec -u 2000 iso-b sh -c 'cat /vol/u/f 2>&1'");
  EXPECT_EQ(r.out, "cat: can't open '/vol/u/f': Permission denied\n") << r.all();
  r = s.developer_docker("exec -u 1000 iso-b cat /vol/u/f");
  EXPECT_EQ(r.out, "secret-1000\n") << r.all();
  r = s.developer_docker("exec iso-b stat -c '%u %a' /vol/u/f");
  EXPECT_EQ(r.out, "1000 600\n") << r.all();

  // Neither sees the other's processes.
  r = s.developer_docker("exec iso-b sh -c 'ps -o comm | grep -c sleep'");
  EXPECT_EQ(r.out, "1\n") << r.all();

  s.developer_docker("rm -f iso-a iso-b");
  s.developer_docker("volume rm iso-vol");
  run("rm -rf " + shared);
}

// A tmpfs volume is a filesystem of its own: ID-mapped like any named
// volume, so container root owns what it writes, as root.
TEST(ContainerIsolationWorkloads, TmpfsVolumesStayWritableByContainerRoot) {
  auto& s = shared_stack();
  ASSERT_EQ(s.developer_docker("volume create -o type=tmpfs -o device=tmpfs -o o=mode=0755 iso-tmpfs").exit_code, 0);
  const auto r = s.developer_docker(
      "run --rm -v iso-tmpfs:/t moat-test/busybox sh -c 'echo kept > /t/f && stat -c \"%u:%g %a\" /t /t/f && cat /t/f'");
  EXPECT_EQ(r.out, "0:0 755\n0:0 644\nkept\n") << r.all();
  s.developer_docker("volume rm iso-tmpfs");
}

// Docker-in-Docker style: a --privileged container makes its own mount, pid,
// network, uts and ipc namespaces, mounts a tmpfs and a proc there, and runs
// processes inside.
TEST(ContainerIsolationWorkloads, PrivilegedContainerBuildsItsOwnNamespacesAndMounts) {
  auto& s = shared_stack();
  const std::string inner =
      "mkdir -p /inner && mount -t tmpfs none /inner && echo kept > /inner/f && cat /inner/f; "
      "echo \"pid $$\"; hostname inner && hostname; ip link | grep -o '^[0-9]*: [a-z0-9]*'; "
      "sh -c 'echo child-runs'; ls /proc | grep -c '^[0-9]'; "
      "grep -c ' /inner ' /proc/self/mountinfo";
  const std::string cmd = "unshare --mount --pid --net --uts --ipc --fork --mount-proc sh -c " + quote(inner) +
                          "; echo \"outer hostname $(hostname)\"; echo \"outer mounts $(grep -c ' /inner ' /proc/self/mountinfo)\"";
  const std::string expected_inner = "kept\npid 1\ninner\n1: lo\nchild-runs\n";
  for (const bool as_root : {false, true}) {
    const auto r = as_root ? s.engine_docker("run --rm --privileged --hostname outer moat-test/busybox sh -c " + quote(cmd))
                           : s.developer_docker("run --rm --privileged --hostname outer moat-test/busybox sh -c " +
                                                quote(cmd));
    EXPECT_EQ(r.exit_code, 0) << r.all();
    // ls /proc in the new pid namespace: sh, ls and grep at most.
    EXPECT_TRUE(r.out.starts_with(expected_inner)) << r.all();
    EXPECT_TRUE(r.out.ends_with("\n1\nouter hostname outer\nouter mounts 0\n")) << r.all();
  }
  // The container's mounts stayed in its namespaces.
  EXPECT_EQ(run("grep -c ' /inner ' /proc/self/mountinfo").out, "0\n");
}

}  // namespace
}  // namespace moat::testing
