// Enhanced Container Isolation seen from a developer's docker CLI: every
// container, whatever it asks for, runs in its own user namespace with an
// exclusive id range, through moat-runc.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "e2e/shared_stack.h"

namespace moat::testing {
namespace {

// "0 100000 65536" -> the host base.
long host_base(const std::string& uid_map) {
  std::istringstream in(uid_map);
  long inside = -1, base = -1, size = -1;
  in >> inside >> base >> size;
  return inside == 0 && size == 65536 ? base : -1;
}

TEST(EnhancedContainerIsolation, StatusSaysItIsActive) {
  auto& s = shared_stack();
  const auto st = nlohmann::json::parse(s.moatctl("status --json --root " + s.root()).out);
  EXPECT_EQ(st["eci"]["requested"], true);
  EXPECT_EQ(st["eci"]["active"], true);
  EXPECT_EQ(st["eci"]["runtime"], bin_dir() + "/moat-runc");
}

TEST(EnhancedContainerIsolation, ContainersGetDisjointExclusiveRanges) {
  auto& s = shared_stack();
  ASSERT_EQ(s.developer_docker("run -d --name eci-a moat-test/busybox sleep 60").exit_code, 0);
  ASSERT_EQ(s.developer_docker("run -d --name eci-b moat-test/busybox sleep 60").exit_code, 0);
  const auto a = s.developer_docker("exec eci-a cat /proc/self/uid_map");
  const auto b = s.developer_docker("exec eci-b cat /proc/self/uid_map");
  const long base_a = host_base(a.out);
  const long base_b = host_base(b.out);
  EXPECT_GE(base_a, 100000) << a.all();
  EXPECT_GE(base_b, 100000) << b.all();
  EXPECT_EQ((base_a - 100000) % 65536, 0);
  EXPECT_NE(base_a, base_b);
  const auto gid = s.developer_docker("exec eci-a cat /proc/self/gid_map");
  EXPECT_EQ(host_base(gid.out), base_a);
  // Container root is an unprivileged uid on the host.
  const auto pid = s.engine_docker("inspect -f '{{.State.Pid}}' eci-a");
  const auto owner = run("stat -c %u /proc/" + pid.out.substr(0, pid.out.size() - 1));
  EXPECT_EQ(owner.out, std::to_string(base_a) + "\n");
  s.developer_docker("rm -f eci-a eci-b");
}

TEST(EnhancedContainerIsolation, FilesKeepImageOwnershipAndRootCanWrite) {
  auto& s = shared_stack();
  const auto r = s.developer_docker(
      "run --rm moat-test/layers sh -c 'stat -c \"%u:%g %a\" /etc/passwd /data/4; echo x >> /etc/passwd && echo wrote'");
  EXPECT_EQ(r.exit_code, 0) << r.all();
  EXPECT_EQ(r.out, "0:0 644\n0:0 700\nwrote\n");
}

TEST(EnhancedContainerIsolation, ChangesShowNormalOwnershipOnTheHostSide) {
  auto& s = shared_stack();
  ASSERT_EQ(s.developer_docker("run --name eci-diff moat-test/busybox sh -c 'echo new > /newfile'").exit_code, 0);
  const auto diff = s.developer_docker("diff eci-diff");
  EXPECT_NE(diff.out.find("A /newfile"), std::string::npos) << diff.all();
  const auto cp = s.as_developer("docker cp eci-diff:/newfile - | tar -tvf -");
  EXPECT_NE(cp.out.find("root/root"), std::string::npos) << cp.all();
  s.developer_docker("rm -f eci-diff");
}

TEST(EnhancedContainerIsolation, RuntimeRuncIsIsolatedAnyway) {
  auto& s = shared_stack();
  const auto r = s.developer_docker("run --rm --runtime=runc moat-test/busybox cat /proc/self/uid_map");
  EXPECT_EQ(r.exit_code, 0) << r.all();
  EXPECT_GE(host_base(r.out), 100000) << r.out;
}

// Each host-namespace request is refused twice: by moatd for the developer,
// and by moat-runc for root talking to the engine socket directly.
TEST(EnhancedContainerIsolation, UsernsHostIsRefusedByTheGuardAndIsolatedAnywayByTheRuntime) {
  auto& s = shared_stack();
  auto r = s.developer_docker("run --rm --userns=host moat-test/busybox cat /proc/self/uid_map");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("Error response from daemon: Moat refused this request: --userns=host is not allowed: "
                       "the container would share the host's user namespace (rule container.namespace-host)"),
            std::string::npos)
      << r.err;
  r = s.engine_docker("run --rm --userns=host moat-test/busybox cat /proc/self/uid_map");
  EXPECT_EQ(r.exit_code, 0) << r.all();
  EXPECT_GE(host_base(r.out), 100000) << r.out;
}

TEST(EnhancedContainerIsolation, HostPidNamespaceIsRefused) {
  auto& s = shared_stack();
  auto r = s.developer_docker("run --rm --pid=host moat-test/busybox true");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("Moat refused this request: --pid=host is not allowed: the container would share the "
                       "host's process namespace (rule container.namespace-host)"),
            std::string::npos)
      << r.err;
  r = s.engine_docker("run --rm --pid=host moat-test/busybox true");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("moat-runc: container cannot share the host's pid namespace (Enhanced Container "
                       "Isolation runs every container in its own namespaces)"),
            std::string::npos)
      << r.err;
}

TEST(EnhancedContainerIsolation, HostNetworkIsRefused) {
  auto& s = shared_stack();
  auto r = s.developer_docker("run --rm --network=host moat-test/busybox true");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("Moat refused this request: --network=host is not allowed: the container would share "
                       "the host's network namespace (rule container.namespace-host)"),
            std::string::npos)
      << r.err;
  r = s.engine_docker("run --rm --network=host moat-test/busybox true");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("moat-runc: container cannot share the host's network namespace"), std::string::npos)
      << r.err;
}

TEST(EnhancedContainerIsolation, PrivilegedRunsConfinedToItsNamespaces) {
  auto& s = shared_stack();
  const auto r = s.developer_docker(
      "run --rm --privileged moat-test/busybox sh -c 'cat /proc/self/uid_map; "
      "mkdir /m && mount -t tmpfs none /m && echo mounted; "
      "echo c > /proc/sysrq-trigger 2>/dev/null || echo sysrq-refused; "
      "mknod /dev/hostdisk b 8 0 2>/dev/null || echo mknod-refused'");
  EXPECT_EQ(r.exit_code, 0) << r.all();
  EXPECT_GE(host_base(r.out), 100000) << r.out;
  EXPECT_NE(r.out.find("mounted\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("sysrq-refused\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("mknod-refused\n"), std::string::npos) << r.out;
}

TEST(EnhancedContainerIsolation, BuildStepsRunIsolated) {
  auto& s = shared_stack();
  ASSERT_EQ(s.as_developer("mkdir -p ~/eci-build && printf '%s\\n' 'FROM moat-test/busybox' "
                           "'RUN cat /proc/self/uid_map > /build-uid-map' > ~/eci-build/Dockerfile")
                .exit_code,
            0);
  auto r = s.as_developer("DOCKER_BUILDKIT=0 docker build -q -t eci-build ~/eci-build");
  ASSERT_EQ(r.exit_code, 0) << r.all();
  r = s.developer_docker("run --rm eci-build cat /build-uid-map");
  EXPECT_GE(host_base(r.out), 100000) << r.out;
  s.developer_docker("rmi eci-build");
}

// Compose is one more API client: its containers go through moat-runc too.
TEST(EnhancedContainerIsolation, ComposeServicesRunIsolated) {
  auto& s = shared_stack();
  ASSERT_EQ(s.as_developer("mkdir -p ~/eci-compose && printf '%s\\n' 'services:' '  app:' "
                           "'    image: moat-test/busybox' '    network_mode: none' "
                           "'    command: cat /proc/self/uid_map' > ~/eci-compose/docker-compose.yml")
                .exit_code,
            0);
  const auto r = s.as_developer("cd ~/eci-compose && docker-compose -p ecicompose run --rm app");
  EXPECT_EQ(r.exit_code, 0) << r.all();
  EXPECT_GE(host_base(r.out), 100000) << r.all();
  s.as_developer("cd ~/eci-compose && docker-compose -p ecicompose down");
}

// BuildKit runs its steps with `runc run`, not the shim: that path is
// isolated too, for the developer through moatd and for root at the engine
// socket. /usr/bin/docker is the engine's own 20.10 CLI, whose BuildKit
// client is built in (the newer CLI needs the buildx plugin for it). The
// test engine has no bridge network, hence --network none.
TEST(EnhancedContainerIsolation, BuildKitStepsRunIsolated) {
  auto& s = shared_stack();
  ASSERT_EQ(s.as_developer("mkdir -p ~/eci-buildkit && printf '%s\\n' 'FROM moat-test/busybox' "
                           "'RUN cat /proc/self/uid_map > /build-uid-map' > ~/eci-buildkit/Dockerfile")
                .exit_code,
            0);
  const std::string context = developer_home() + "/eci-buildkit";
  // A step's container ends with its `runc run`: its range and mounts go then.
  const std::string held = "ls " + s.root() + "/runtime/idmap/slots | wc -l; grep -c " + s.root() +
                           "/runtime /proc/self/mountinfo";
  ASSERT_EQ(run("test -d " + s.root() + "/runtime/idmap/slots").exit_code, 0);
  const auto held_before = run(held).out;
  for (const bool as_root : {false, true}) {
    SCOPED_TRACE(as_root ? "root at the engine socket" : "developer");
    const std::string build = "DOCKER_BUILDKIT=1 /usr/bin/docker build -q --network none -t eci-buildkit " + context;
    auto r = as_root ? run("DOCKER_HOST=unix://" + s.engine_socket() + " " + build) : s.as_developer(build);
    ASSERT_EQ(r.exit_code, 0) << r.all();
    r = s.engine_docker("run --rm eci-buildkit cat /build-uid-map");
    EXPECT_GE(host_base(r.out), 100000) << r.all();
    s.engine_docker("rmi eci-buildkit");
    s.engine_docker("builder prune -af");
  }
  EXPECT_EQ(run(held).out, held_before);
}

}  // namespace
}  // namespace moat::testing

namespace moat::testing {
namespace {

const std::string kProtectedTail =
    ", which no container may mount (Enhanced Container Isolation protects the engine and Moat's own files)";

TEST(EnhancedContainerIsolation, RootAtTheEngineSocketCannotMountTheStack) {
  auto& s = shared_stack();
  const auto r = s.engine_docker("run --rm -v " + s.root() + ":/stack moat-test/busybox true");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("moat-runc: mount of " + s.root() + " is refused: it reaches " + s.root() + kProtectedTail),
            std::string::npos)
      << r.err;
}

TEST(EnhancedContainerIsolation, HostRootAndTheEngineSocketThroughALinkAreRefused) {
  auto& s = shared_stack();
  auto r = s.developer_docker("run --rm -v /:/host moat-test/busybox true");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("Moat refused this request: bind mount of / is not allowed: it contains the engine "
                       "socket " + s.engine_socket() + " (rule bind.restricted-path)"),
            std::string::npos)
      << r.err;
  r = s.engine_docker("run --rm -v /:/host moat-test/busybox true");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("moat-runc: mount of / is refused"), std::string::npos) << r.err;

  ASSERT_EQ(s.as_developer("ln -sfn " + s.engine_socket() + " ~/innocent.sock").exit_code, 0);
  const std::string link = developer_home() + "/innocent.sock";
  r = s.developer_docker("run --rm -v " + link + ":/var/run/docker.sock moat-test/busybox true");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("Moat refused this request: bind mount of " + link + " (resolves to " + s.engine_socket() +
                       ") is not allowed: it is the engine socket " + s.engine_socket() +
                       " (rule bind.restricted-path)"),
            std::string::npos)
      << r.err;
  r = s.engine_docker("run --rm -v " + link + ":/var/run/docker.sock moat-test/busybox true");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("moat-runc: mount of " + link + " (" + s.engine_socket() + ") is refused"),
            std::string::npos)
      << r.err;
}

TEST(EnhancedContainerIsolation, HomeBindsAndNamedVolumesWork) {
  auto& s = shared_stack();
  ASSERT_EQ(s.as_developer("mkdir -p ~/project && echo from-home > ~/project/file").exit_code, 0);
  auto r = s.developer_docker("run --rm -v " + developer_home() + "/project:/project moat-test/busybox cat /project/file");
  EXPECT_EQ(r.out, "from-home\n") << r.all();
  r = s.developer_docker("run --rm -v eci-vol:/vol moat-test/busybox sh -c 'echo kept > /vol/f'");
  ASSERT_EQ(r.exit_code, 0) << r.all();
  r = s.developer_docker("run --rm -v eci-vol:/vol moat-test/busybox cat /vol/f");
  EXPECT_EQ(r.out, "kept\n") << r.all();
  s.developer_docker("volume rm eci-vol");
}

TEST(EnhancedContainerIsolation, ContainerRootCannotPlantRootOwnedFilesInAHostBind) {
  auto& s = shared_stack();
  ASSERT_EQ(s.as_developer("mkdir -p ~/plant && chmod 777 ~/plant").exit_code, 0);
  const auto r = s.developer_docker("run --rm -v " + developer_home() +
                                    "/plant:/plant moat-test/busybox sh -c 'cp /bin/busybox /plant/suid && "
                                    "chmod 4755 /plant/suid; ls -ln /plant'");
  const auto owner = run("stat -c '%u %a' " + developer_home() + "/plant/suid 2>&1");
  // Whatever the container managed to write, it is not a setuid-root file on the host.
  EXPECT_TRUE(owner.out.rfind("0 4755", 0) != 0 && owner.out.rfind("0 ", 0) != 0) << owner.out << r.all();
  run("rm -rf " + developer_home() + "/plant");
}

}  // namespace
}  // namespace moat::testing
