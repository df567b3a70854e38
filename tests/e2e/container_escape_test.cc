// Container escapes of the runtime-security catalogue that apply to this
// kernel, each tried twice: as the developer through the docker CLI (moatd
// may refuse first) and as root straight at the engine socket, where only
// moat-runc stands between the request and the host. Every test checks the
// host itself (a file that must not appear or change, a device that must
// not open), not only an exit status.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>
#include <vector>

#include "e2e/shared_stack.h"
#include "harness/host_paths.h"
#include "support/tar_archive.h"

namespace moat::testing {
namespace {

namespace fs = std::filesystem;

std::string read_host_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return "<absent>";
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A path on the host only root can reach; the payloads of the escapes
// create it, so it appearing means host code ran.
std::string host_marker(const std::string& name) {
  const std::string path = scratch_dir() + "/escape-marker-" + name;
  fs::remove(path);
  return path;
}

// "254:0" and "/dev/vda" of the filesystem mounted on / of the host.
struct HostDisk {
  std::string major_minor;
  std::string major;
  std::string minor;
  std::string source;
};

HostDisk host_root_disk() {
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  HostDisk disk;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string id, parent, dev, root, mount_point;
    fields >> id >> parent >> dev >> root >> mount_point;
    if (mount_point != "/") continue;
    const auto dash = line.find(" - ");
    std::istringstream tail(line.substr(dash + 3));
    std::string type, source;
    tail >> type >> source;
    disk = HostDisk{dev, dev.substr(0, dev.find(':')), dev.substr(dev.find(':') + 1), source};
  }
  return disk;
}

// The static probe for the kernel calls busybox cannot make (built with the
// tests, see tests/CMakeLists.txt), copied where the developer can read it.
std::string escape_probe() {
  static const std::string copy = [] {
    const std::string to = scratch_dir() + "/escape_probe";
    fs::copy_file(MOAT_ESCAPE_PROBE, to, fs::copy_options::overwrite_existing);
    ::chmod(to.c_str(), 0755);
    return to;
  }();
  return copy;
}

// Runs the probe inside a container: it comes in on stdin, as the image has
// nothing but busybox.
std::string probe_script(const std::string& args) {
  return "cat > /probe && chmod 755 /probe && /probe " + args;
}

const std::string kNamespaceRefusalTail = " (rule container.namespace-host)";

// --- host filesystems and devices --------------------------------------

TEST(ContainerEscape, PrivilegedContainerCannotMountTheHostDisk) {
  auto& s = shared_stack();
  const HostDisk disk = host_root_disk();
  ASSERT_FALSE(disk.major_minor.empty());
  const std::string marker = scratch_dir() + "/escape-host-only";
  std::ofstream(marker) << "host only\n";
  const std::string script =
      "echo \"block devices: $(find /dev -type b | wc -l)\"; mkdir -p /mnt/host; "
      "mount " + disk.source + " /mnt/host 2>/dev/null && echo mount-by-name-ok || echo mount-by-name-refused; "
      "mknod /dev/hostdisk b " + disk.major + " " + disk.minor + " 2>/dev/null; "
      "mount -t ext4 /dev/hostdisk /mnt/host 2>/dev/null && echo mount-by-node-ok || echo mount-by-node-refused; "
      "cat /mnt/host" + marker + " 2>/dev/null || echo marker-unreadable";
  const std::string expected =
      "block devices: 0\nmount-by-name-refused\nmount-by-node-refused\nmarker-unreadable\n";
  auto r = s.developer_docker("run --rm --privileged moat-test/busybox sh -c " + quote(script));
  EXPECT_EQ(r.out, expected) << r.all();
  r = s.engine_docker("run --rm --privileged moat-test/busybox sh -c " + quote(script));
  EXPECT_EQ(r.out, expected) << r.all();
  // Nothing of the host disk got mounted anywhere on the host either.
  EXPECT_EQ(run("grep -c ' /mnt/host ' /proc/self/mountinfo").out, "0\n");
  fs::remove(marker);
}

TEST(ContainerEscape, MknodOfTheHostDiskIsRefusedAndNothingReadsIt) {
  auto& s = shared_stack();
  const HostDisk disk = host_root_disk();
  ASSERT_FALSE(disk.major.empty());
  const std::string script = "mknod /dev/hostdisk b " + disk.major + " " + disk.minor +
                             " 2>&1; head -c 512 /dev/hostdisk >/dev/null 2>&1 && echo read-ok || echo read-refused";
  const std::string expected = "mknod: /dev/hostdisk: Operation not permitted\nread-refused\n";
  for (const std::string flags : {"", "--privileged "}) {
    auto r = s.developer_docker("run --rm " + flags + "moat-test/busybox sh -c " + quote(script));
    EXPECT_EQ(r.out, expected) << flags << r.all();
    r = s.engine_docker("run --rm " + flags + "moat-test/busybox sh -c " + quote(script));
    EXPECT_EQ(r.out, expected) << flags << r.all();
  }
}

// --- host kernel interfaces --------------------------------------------

// The classic privileged escape: mount a cgroup v1 hierarchy, point
// release_agent at a script in the container's upper layer (by its host
// path, which an attacker reads from the mount table), let a cgroup empty.
TEST(ContainerEscape, ReleaseAgentOfAPrivilegedContainerNeverRunsOnTheHost) {
  auto& s = shared_stack();
  const std::string marker = host_marker("release-agent");
  const std::string attack =
      "printf '#!/bin/sh\\ntouch %s\\n' \"$MARKER\" > /payload && chmod 755 /payload; "
      "mkdir -p /cg && mount -t cgroup -o memory cgroup /cg 2>/dev/null && echo cgroup-mounted; "
      "for d in /cg /sys/fs/cgroup/memory; do "
      "  echo \"$UPPER/payload\" > $d/release_agent 2>/dev/null && echo agent-written-$d || echo agent-refused-$d; "
      "  mkdir $d/escape 2>/dev/null && echo 1 > $d/escape/notify_on_release && "
      "  sh -c \"echo \\$\\$ > $d/escape/cgroup.procs\" && echo trigger-set-$d; "
      "done; sleep 1; echo done";
  const std::string expected = "cgroup-mounted\nagent-refused-/cg\nagent-refused-/sys/fs/cgroup/memory\ndone\n";
  // Root at the engine socket, told the host path of the upper layer.
  ASSERT_EQ(s.engine_docker("run -d --privileged --name esc-ra-root moat-test/busybox sleep 60").exit_code, 0);
  const auto upper = s.engine_docker("inspect -f '{{.GraphDriver.Data.UpperDir}}' esc-ra-root");
  ASSERT_EQ(upper.exit_code, 0) << upper.all();
  const std::string env = "-e MARKER=" + marker + " -e UPPER=" + upper.out.substr(0, upper.out.size() - 1) + " ";
  auto r = s.engine_docker("exec " + env + "esc-ra-root sh -c " + quote(attack));
  EXPECT_EQ(r.out, expected) << r.all();
  // The developer, the same way.
  ASSERT_EQ(s.developer_docker("run -d --privileged --name esc-ra-dev moat-test/busybox sleep 60").exit_code, 0);
  const auto dev_upper = s.engine_docker("inspect -f '{{.GraphDriver.Data.UpperDir}}' esc-ra-dev");
  const std::string dev_env =
      "-e MARKER=" + marker + " -e UPPER=" + dev_upper.out.substr(0, dev_upper.out.size() - 1) + " ";
  r = s.developer_docker("exec " + dev_env + "esc-ra-dev sh -c " + quote(attack));
  EXPECT_EQ(r.out, expected) << r.all();
  s.engine_docker("rm -f esc-ra-root esc-ra-dev");
  EXPECT_FALSE(host_path_exists(marker));
}

// CVE-2022-0492: from a new user namespace (where the caller is root), a new
// cgroup namespace and a cgroup v1 mount whose release_agent it may write.
TEST(ContainerEscape, ReleaseAgentFromANestedUserNamespaceIsRefused) {
  const std::string probe = escape_probe();
  auto& s = shared_stack();
  const std::string marker = host_marker("cve-2022-0492");
  const std::string script = probe_script("cgroup-userns /payload");
  // Docker's default seccomp profile refuses the unshare outright.
  const std::string confined = "unshare user+mount+cgroup: Operation not permitted\n";
  // --privileged gets that far; the mount lands on the container's own
  // cgroup, which has no release_agent, and creating a child is refused.
  const std::string privileged =
      "unshare user+mount+cgroup: ok\nmap root: ok\nmount cgroup v1 memory: ok\n"
      "write release_agent: No such file or directory\nmkdir child cgroup: Permission denied\n"
      "write notify_on_release: No such file or directory\n";
  auto r = s.as_developer("docker run --rm -i moat-test/busybox sh -c " + quote(script) + " < " + probe);
  EXPECT_EQ(r.out, confined) << r.all();
  r = run("DOCKER_HOST=unix://" + s.engine_socket() + " docker run --rm -i moat-test/busybox sh -c " +
          quote(script) + " < " + probe);
  EXPECT_EQ(r.out, confined) << r.all();
  r = s.as_developer("docker run --rm -i --privileged moat-test/busybox sh -c " + quote(script) + " < " + probe);
  EXPECT_EQ(r.out, privileged) << r.all();
  r = run("DOCKER_HOST=unix://" + s.engine_socket() + " docker run --rm -i --privileged moat-test/busybox sh -c " +
          quote(script) + " < " + probe);
  EXPECT_EQ(r.out, privileged) << r.all();
  EXPECT_FALSE(host_path_exists(marker));
}

TEST(ContainerEscape, CorePatternOfTheHostCannotBeWritten) {
  auto& s = shared_stack();
  const std::string before = read_host_file("/proc/sys/kernel/core_pattern");
  const std::string marker = host_marker("core-pattern");
  const std::string attack =
      "echo \"|/bin/touch " + marker + "\" > /proc/sys/kernel/core_pattern 2>/dev/null && echo written || echo refused; "
      "mkdir -p /p && mount -t proc proc /p && "
      "{ echo \"|/bin/touch " + marker + "\" > /p/sys/kernel/core_pattern 2>/dev/null && echo written || echo refused; }; "
      "sh -c 'kill -SEGV $$'; echo crashed";
  const std::string expected = "refused\nrefused\ncrashed\n";
  auto r = s.developer_docker("run --rm --privileged moat-test/busybox sh -c " + quote(attack));
  EXPECT_EQ(r.out, expected) << r.all();
  r = s.engine_docker("run --rm --privileged moat-test/busybox sh -c " + quote(attack));
  EXPECT_EQ(r.out, expected) << r.all();
  // Without --privileged /proc/sys is read-only and a fresh proc mount refused.
  r = s.engine_docker("run --rm moat-test/busybox sh -c " + quote(attack));
  EXPECT_EQ(r.out, "refused\ncrashed\n") << r.all();
  EXPECT_EQ(read_host_file("/proc/sys/kernel/core_pattern"), before);
  EXPECT_FALSE(host_path_exists(marker));
}

TEST(ContainerEscape, SysrqTriggerLeavesTheHostAlone) {
  auto& s = shared_stack();
  // 'h' only prints help to the kernel log: harmless if it got through, and
  // visible there.
  const auto sysrq_lines = [] { return run("dmesg 2>/dev/null | grep -ci sysrq").out; };
  const std::string before = sysrq_lines();
  const std::string attack = "echo h > /proc/sysrq-trigger 2>/dev/null && echo written || echo refused";
  auto r = s.developer_docker("run --rm --privileged moat-test/busybox sh -c " + quote(attack));
  EXPECT_EQ(r.out, "refused\n") << r.all();
  r = s.engine_docker("run --rm --privileged moat-test/busybox sh -c " + quote(attack));
  EXPECT_EQ(r.out, "refused\n") << r.all();
  EXPECT_EQ(sysrq_lines(), before);
}

TEST(ContainerEscape, KernelModulesCannotBeLoaded) {
  auto& s = shared_stack();
  const std::string modules_before = read_host_file("/proc/modules");
  // A kernel built without module support answers ENOSYS before any check.
  const bool host_has_modules = host_path_exists("/proc/modules");
  const std::string insmod = "insmod /bin/busybox >/dev/null 2>&1 && echo loaded || echo refused";
  auto r = s.developer_docker("run --rm --privileged moat-test/busybox sh -c " + quote(insmod));
  EXPECT_EQ(r.out, "refused\n") << r.all();
  r = s.engine_docker("run --rm --privileged moat-test/busybox sh -c " + quote(insmod));
  EXPECT_EQ(r.out, "refused\n") << r.all();
  const std::string probe = escape_probe();
  if (!probe.empty()) {
    const std::string script = probe_script("finit-module /bin/busybox");
    const std::string why = host_has_modules ? "Operation not permitted" : "Function not implemented";
    r = s.as_developer("docker run --rm -i --privileged moat-test/busybox sh -c " + quote(script) + " < " + probe);
    EXPECT_EQ(r.out, "finit_module: " + why + "\ninit_module: " + why + "\n") << r.all();
    r = run("DOCKER_HOST=unix://" + s.engine_socket() + " docker run --rm -i moat-test/busybox sh -c " +
            quote(script) + " < " + probe);
    // Docker's default seccomp profile refuses them first.
    EXPECT_EQ(r.out, "finit_module: Operation not permitted\ninit_module: Operation not permitted\n") << r.all();
  }
  EXPECT_EQ(read_host_file("/proc/modules"), modules_before);
}

TEST(ContainerEscape, BpfIsRefused) {
  const std::string probe = escape_probe();
  auto& s = shared_stack();
  const std::string script = probe_script("bpf");
  const std::string expected =
      "bpf prog load: Operation not permitted\nbpf kprobe load: Operation not permitted\n"
      "bpf map create: Operation not permitted\nbpf prog id walk: Operation not permitted\n";
  const std::string programs_before = run("ls /sys/fs/bpf 2>/dev/null | wc -l").out;
  for (const std::string flags : {"", "--privileged "}) {
    auto r = s.as_developer("docker run --rm -i " + flags + "moat-test/busybox sh -c " + quote(script) + " < " + probe);
    EXPECT_EQ(r.out, expected) << flags << r.all();
    r = run("DOCKER_HOST=unix://" + s.engine_socket() + " docker run --rm -i " + flags +
            "moat-test/busybox sh -c " + quote(script) + " < " + probe);
    EXPECT_EQ(r.out, expected) << flags << r.all();
  }
  EXPECT_EQ(run("ls /sys/fs/bpf 2>/dev/null | wc -l").out, programs_before);
}

// --- leaked descriptors (CVE-2024-21626) ---------------------------------

const std::string kGuardWorkdir =
    " is not allowed: a directory inside /proc/self, /proc/thread-self or /proc/<pid> can reach host files "
    "through leaked descriptors (CVE-2024-21626) (rule container.working-dir)";

std::string runtime_workdir_refusal(const std::string& dir) {
  return "moat-runc: container working directory " + dir +
         " is refused (a working directory under /proc/self, /proc/thread-self or /proc/<pid> can reach the "
         "runtime's open files, as in CVE-2024-21626); choose a directory of the container's own filesystem";
}

TEST(ContainerEscape, WorkingDirectoryInProcSelfFdIsRefusedAtRunCreateAndExec) {
  auto& s = shared_stack();
  const std::string marker = scratch_dir() + "/escape-host-only-fd";
  std::ofstream(marker) << "host only\n";
  // From a leaked directory descriptor, enough ".." reach the host's root.
  const std::string reach = "cat ../../../../../../../.." + marker + " 2>/dev/null || echo contained";
  // The engine cleans the path before the runtime sees it.
  const std::vector<std::pair<std::string, std::string>> dirs{{"/proc/self/fd/7", "/proc/self/fd/7"},
                                                              {"/proc/thread-self/fd/4", "/proc/thread-self/fd/4"},
                                                              {"/proc/1/cwd", "/proc/1/cwd"},
                                                              {"//proc/./self/fd/8", "/proc/self/fd/8"}};
  for (const auto& [dir, cleaned] : dirs) {
    auto r = s.developer_docker("run --rm -w " + dir + " moat-test/busybox sh -c " + quote(reach));
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.err.find("Moat refused this request: working directory " + dir + kGuardWorkdir), std::string::npos)
        << r.err;
    r = s.engine_docker("run --rm -w " + dir + " moat-test/busybox sh -c " + quote(reach));
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.err.find(runtime_workdir_refusal(cleaned)), std::string::npos) << r.err;
    EXPECT_EQ(r.out.find("host only"), std::string::npos) << r.out;
  }
  // Created first, started later: the engine accepts the create, moat-runc
  // refuses the start.
  auto r = s.engine_docker("create --name esc-fd-create -w /proc/self/fd/7 moat-test/busybox sh -c " + quote(reach));
  ASSERT_EQ(r.exit_code, 0) << r.all();
  r = s.engine_docker("start -a esc-fd-create");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find(runtime_workdir_refusal("/proc/self/fd/7")), std::string::npos) << r.err;
  s.engine_docker("rm -f esc-fd-create");
  // docker exec -w into a running container.
  ASSERT_EQ(s.developer_docker("run -d --name esc-fd-exec moat-test/busybox sleep 60").exit_code, 0);
  r = s.developer_docker("exec -w /proc/self/fd/7 esc-fd-exec sh -c " + quote(reach));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("Moat refused this request: working directory /proc/self/fd/7" + kGuardWorkdir),
            std::string::npos)
      << r.err;
  for (const std::string n : {"4", "5", "6", "7", "8", "9", "10"}) {
    r = s.engine_docker("exec -w /proc/self/fd/" + n + " esc-fd-exec sh -c " + quote(reach));
    EXPECT_NE(r.exit_code, 0);
    // docker exec prints the runtime's error on its standard output.
    EXPECT_NE(r.all().find("OCI runtime exec failed: " + runtime_workdir_refusal("/proc/self/fd/" + n)),
              std::string::npos)
        << r.all();
    EXPECT_EQ(r.out.find("host only"), std::string::npos) << r.out;
  }
  s.engine_docker("rm -f esc-fd-exec");
  fs::remove(marker);
}

// The same through a symlink in the image: no lexical check sees it, so the
// container must fail to start or stay inside its own root.
TEST(ContainerEscape, WorkingDirectoryLinkedToProcSelfFdStaysInsideTheContainer) {
  auto& s = shared_stack();
  const std::string marker = scratch_dir() + "/escape-host-only-link";
  std::ofstream(marker) << "host only\n";
  const std::string ctx = scratch_dir() + "/escape-link-image";
  fs::create_directories(ctx);
  std::ofstream(ctx + "/Dockerfile") << "FROM moat-test/busybox\n"
                                        "RUN for n in 3 4 5 6 7 8 9 10; do ln -s /proc/self/fd/$n /w$n; done\n";
  ASSERT_EQ(run("DOCKER_BUILDKIT=0 DOCKER_HOST=unix://" + s.engine_socket() + " docker build -q -t esc-fd-link " + ctx)
                .exit_code,
            0);
  const std::string reach = "cat ../../../../../../../.." + marker + " 2>/dev/null || echo contained";
  ASSERT_EQ(s.engine_docker("run -d --name esc-fd-link esc-fd-link sleep 60").exit_code, 0);
  for (const std::string n : {"3", "4", "5", "6", "7", "8", "9", "10"}) {
    auto r = s.engine_docker("run --rm -w /w" + n + " esc-fd-link sh -c " + quote(reach));
    EXPECT_EQ(r.out.find("host only"), std::string::npos) << n << ": " << r.all();
    EXPECT_TRUE(r.exit_code != 0 || r.out == "contained\n") << n << ": " << r.all();
    r = s.engine_docker("exec -w /w" + n + " esc-fd-link sh -c " + quote(reach));
    EXPECT_EQ(r.out.find("host only"), std::string::npos) << n << ": " << r.all();
    EXPECT_TRUE(r.exit_code != 0 || r.out == "contained\n") << n << ": " << r.all();
  }
  s.engine_docker("rm -f esc-fd-link");
  s.engine_docker("rmi esc-fd-link");
  fs::remove_all(ctx);
  fs::remove(marker);
}

// --- files planted on the host ------------------------------------------

// Container root copies a shell into a shared directory and makes it
// setuid root; on the host it must not be a setuid-root file.
std::string plant_suid(const std::string& target) {
  return "cp /bin/busybox " + target + "/suid 2>/dev/null; chown 0:0 " + target + "/suid 2>/dev/null; chmod 4755 " +
         target + "/suid 2>/dev/null; true";
}

bool setuid_root(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && st.st_uid == 0 && (st.st_mode & S_ISUID) != 0;
}

TEST(ContainerEscape, SetuidRootFilesCannotBePlantedThroughABindMount) {
  auto& s = shared_stack();
  const std::string dir = developer_home() + "/esc-plant";
  ASSERT_EQ(s.as_developer("rm -rf ~/esc-plant && mkdir ~/esc-plant && chmod 777 ~/esc-plant").exit_code, 0);
  auto r = s.developer_docker("run --rm -v " + dir + ":/plant moat-test/busybox sh -c " + quote(plant_suid("/plant")));
  EXPECT_EQ(r.exit_code, 0) << r.all();
  EXPECT_FALSE(setuid_root(dir + "/suid")) << run("ls -ln " + dir).out;
  run("rm -f " + dir + "/suid");
  r = s.engine_docker("run --rm --privileged -v " + dir + ":/plant moat-test/busybox sh -c " + quote(plant_suid("/plant")));
  EXPECT_EQ(r.exit_code, 0) << r.all();
  EXPECT_FALSE(setuid_root(dir + "/suid")) << run("ls -ln " + dir).out;
  run("rm -rf " + dir);
}

// A local volume created with o=bind is the developer's own directory under
// a volume's name: the engine mounts it inside its data root, where named
// volumes are ID-mapped. It must be written as the container's own range.
TEST(ContainerEscape, SetuidRootFilesCannotBePlantedThroughABindVolume) {
  auto& s = shared_stack();
  const std::string dir = developer_home() + "/esc-bindvol";
  ASSERT_EQ(s.as_developer("rm -rf ~/esc-bindvol && mkdir ~/esc-bindvol && chmod 777 ~/esc-bindvol").exit_code, 0);
  auto r = s.developer_docker("volume create -o type=none -o o=bind -o device=" + dir + " esc-bindvol");
  ASSERT_EQ(r.exit_code, 0) << r.all();
  r = s.developer_docker("run --rm -v esc-bindvol:/plant moat-test/busybox sh -c " +
                         quote(plant_suid("/plant") + "; stat -c '%u %a' /plant/suid"));
  EXPECT_EQ(r.exit_code, 0) << r.all();
  EXPECT_FALSE(setuid_root(dir + "/suid")) << run("ls -ln " + dir).out;
  // The container's root owns what it wrote through its own range.
  struct stat st {};
  ASSERT_EQ(::stat((dir + "/suid").c_str(), &st), 0);
  EXPECT_GE(st.st_uid, 100000U);
  EXPECT_EQ(r.out, "0 4755\n");
  s.developer_docker("volume rm esc-bindvol");
  run("rm -rf " + dir);
}

// docker cp: the engine unpacks the archive as root, also into a host
// directory bind-mounted into the container, so moatd refuses what would be
// a privilege there before the engine sees it.
TEST(ContainerEscape, DockerCpCannotPlantPrivilegesThroughABindMount) {
  auto& s = shared_stack();
  const std::string dir = developer_home() + "/esc-cp";
  ASSERT_EQ(s.as_developer("rm -rf ~/esc-cp && mkdir ~/esc-cp").exit_code, 0);
  ASSERT_EQ(s.developer_docker("run -d --name esc-cp -v " + dir + ":/plant moat-test/busybox sleep 120").exit_code, 0);
  namespace t = testing_support::tar;
  const auto copy = [&](const std::string& name, const std::string& archive) {
    const std::string file = scratch_dir() + "/" + name + ".tar";
    std::ofstream(file, std::ios::binary) << archive;
    ::chmod(file.c_str(), 0644);
    return s.as_developer("docker cp - esc-cp:/plant < " + file);
  };
  const std::string tail =
      "; the engine unpacks it as root, and a path in a container can be a host directory (rule "
      "container.archive-entry). No setting allows this: copy plain files and directories, and set up anything more "
      "(setuid bits, devices, links, capabilities) inside the container.";
  auto r = copy("suid", t::archive({t::member({.name = "suid", .data = "#!/bin/sh\n", .mode = 04755})}));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(r.err, "Error response from daemon: Moat refused this request: the archive copied into the container has "
                   "entry \"suid\" with mode 4755, which is setuid" + tail + "\n");
  EXPECT_EQ(read_host_file(dir + "/suid"), "<absent>");
  r = copy("dev", t::archive({t::entry("disk", '4')}));
  EXPECT_NE(r.err.find("has entry \"disk\", a block device" + tail), std::string::npos) << r.err;
  EXPECT_EQ(read_host_file(dir + "/disk"), "<absent>");
  r = copy("cap", t::archive({t::pax(t::pax_record("SCHILY.xattr.security.capability", std::string("\x01\0\0\x02", 4))),
                              t::file("cap", "x")}));
  EXPECT_NE(r.err.find("sets the extended attribute \"SCHILY.xattr.security.capability\" on its entry \"cap\""),
            std::string::npos)
      << r.err;
  EXPECT_EQ(read_host_file(dir + "/cap"), "<absent>");
  // Plain files still go in.
  r = copy("plain", t::archive({t::file("plain.txt", "hello")}));
  EXPECT_EQ(r.exit_code, 0) << r.all();
  EXPECT_EQ(read_host_file(dir + "/plain.txt"), "hello");
  // Recorded with the container's id, the one the engine was asked about.
  const auto id = s.engine_docker("inspect -f '{{.Id}}' esc-cp").out;
  const auto denied = s.moatctl("audit query --rule container.archive-entry --container " +
                                id.substr(0, id.size() - 1) + " --root " + s.root());
  EXPECT_NE(denied.out.find("entry \"suid\" with mode 4755"), std::string::npos) << denied.all();
  s.developer_docker("rm -f esc-cp");
  run("rm -rf " + dir);
}

// docker cp into or out of a container that shows a host directory the
// developer does not own: the engine would replace or read files there as
// root (in /tmp, other users' files), so moatd refuses the copy whatever
// the archive holds.
TEST(ContainerEscape, DockerCpCannotReachAHostDirectoryThatIsNotTheDevelopers) {
  auto& s = shared_stack();
  const std::string dir = developer_home() + "/esc-cp-root";
  ASSERT_EQ(run("rm -rf " + dir + " && mkdir -m 0755 " + dir + " && echo root-data > " + dir + "/f").exit_code, 0);
  ASSERT_EQ(s.developer_docker("run -d --name esc-cp-root -v " + dir + ":/shared moat-test/busybox sleep 120").exit_code,
            0);
  const std::string file = scratch_dir() + "/esc-cp-root.txt";
  std::ofstream(file) << "replaced";
  ::chmod(file.c_str(), 0644);
  const auto r = s.as_developer("docker cp " + file + " esc-cp-root:/shared/f");
  EXPECT_NE(r.exit_code, 0);
  // The CLI also says its upload was cut off: moatd answers at the head.
  EXPECT_NE(r.err.find("Error response from daemon: Moat refused this request: container esc-cp-root shows the host "
                       "directory " + dir + " at /shared, which is not yours (owner uid 0), and the engine would "
                       "write what docker cp copies there as root (rule container.archive-host-mount). No setting "
                       "allows this: copy into a container that does not mount it, or through the container itself "
                       "(docker exec -i esc-cp-root tar -x -C DIR < ARCHIVE).\n"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(read_host_file(dir + "/f"), "root-data\n");
  // Nor may it read there as root: a 0600 file of root's stays unread.
  ASSERT_EQ(run("chmod 600 " + dir + "/f").exit_code, 0);
  const auto out = s.as_developer("docker cp esc-cp-root:/shared/f - | tar -xO");
  EXPECT_NE(out.exit_code, 0);
  EXPECT_EQ(out.out, "");
  EXPECT_NE(out.err.find("the engine would read what docker cp copies from there as root"), std::string::npos)
      << out.err;
  s.developer_docker("rm -f esc-cp-root");
  run("rm -rf " + dir);
}

// --- the engine socket ---------------------------------------------------

TEST(ContainerEscape, EngineSocketThroughAParentDirectoryOrALinkIsRefused) {
  auto& s = shared_stack();
  const std::string use_it = "touch /stack/escape-ran";
  // The directory holding the engine socket.
  auto r = s.developer_docker("run --rm -v " + s.root() + ":/stack moat-test/busybox sh -c " + quote(use_it));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("Moat refused this request: bind mount of " + s.root() + " is not allowed: it contains the "
                       "engine socket " + s.engine_socket() + " (rule bind.restricted-path)"),
            std::string::npos)
      << r.err;
  r = s.engine_docker("run --rm -v " + s.root() + ":/stack moat-test/busybox sh -c " + quote(use_it));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("moat-runc: mount of " + s.root() + " is refused: it reaches " + s.root()), std::string::npos)
      << r.err;
  // A link to that directory.
  ASSERT_EQ(s.as_developer("ln -sfn " + s.root() + " ~/esc-stack-link").exit_code, 0);
  const std::string link = developer_home() + "/esc-stack-link";
  r = s.developer_docker("run --rm -v " + link + ":/stack moat-test/busybox sh -c " + quote(use_it));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("Moat refused this request: bind mount of " + link + " (resolves to " + s.root() + ")"),
            std::string::npos)
      << r.err;
  r = s.engine_docker("run --rm -v " + link + ":/stack moat-test/busybox sh -c " + quote(use_it));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("moat-runc: mount of " + link + " (" + s.root() + ") is refused: it reaches " + s.root()),
            std::string::npos)
      << r.err;
  // A local volume bound to it, created by root at the engine (moatd
  // refuses the developer's create).
  r = s.developer_docker("volume create -o type=none -o o=bind -o device=" + s.root() + " esc-stackvol");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("Moat refused this request: volume esc-stackvol binding " + s.root() + " is not allowed"),
            std::string::npos)
      << r.err;
  ASSERT_EQ(s.engine_docker("volume create -o type=none -o o=bind -o device=" + s.root() + " esc-stackvol").exit_code, 0);
  r = s.engine_docker("run --rm -v esc-stackvol:/stack moat-test/busybox sh -c " + quote(use_it));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("moat-runc: mount of " + s.root() + "/engine-data/volumes/esc-stackvol/_data (" + s.root() +
                       ") is refused: it reaches " + s.root()),
            std::string::npos)
      << r.err;
  ASSERT_EQ(s.engine_docker("volume create -o type=none -o o=bind -o device=/ esc-rootvol").exit_code, 0);
  r = s.engine_docker("run --rm -v esc-rootvol:/stack moat-test/busybox sh -c " + quote(use_it));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("moat-runc: mount of " + s.root() + "/engine-data/volumes/esc-rootvol/_data is refused: "
                       "it reaches "),
            std::string::npos)
      << r.err;
  s.engine_docker("volume rm esc-stackvol esc-rootvol");
  run("rm -f " + link);
  EXPECT_FALSE(host_path_exists(s.root() + "/escape-ran"));
}

// --- host namespaces and runtime overrides ------------------------------

// The command would leave a file in a directory of the developer: it must
// not have run at all.
struct RanMarker {
  std::string dir = developer_home() + "/esc-ran";
  RanMarker() { run("rm -rf " + dir + " && mkdir -m 777 " + dir); }
  ~RanMarker() { run("rm -rf " + dir); }
  std::string args() const { return "-v " + dir + ":/out moat-test/busybox sh -c 'echo ran > /out/ran'"; }
  bool ran() const { return host_path_exists(dir + "/ran"); }
};

TEST(ContainerEscape, HostPidNamespaceIsRefusedAndNothingRuns) {
  auto& s = shared_stack();
  RanMarker m;
  auto r = s.developer_docker("run --rm --pid=host " + m.args());
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("Moat refused this request: --pid=host is not allowed: the container would share the host's "
                       "process namespace" + kNamespaceRefusalTail),
            std::string::npos)
      << r.err;
  r = s.engine_docker("run --rm --pid=host " + m.args());
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("moat-runc: container cannot share the host's pid namespace (Enhanced Container Isolation "
                       "runs every container in its own namespaces); run it without --pid=host"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(m.ran());
  // Inside an ordinary container, pid 1 is its own init, not the host's.
  r = s.developer_docker("run --rm moat-test/busybox sh -c 'cat /proc/1/cmdline | tr \"\\0\" \" \"'");
  EXPECT_EQ(r.out, "sh -c cat /proc/1/cmdline | tr \"\\0\" \" \" ") << r.all();
}

TEST(ContainerEscape, HostNetworkIsRefusedAndNothingRuns) {
  auto& s = shared_stack();
  RanMarker m;
  auto r = s.developer_docker("run --rm --network=host " + m.args());
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("Moat refused this request: --network=host is not allowed: the container would share the "
                       "host's network namespace" + kNamespaceRefusalTail),
            std::string::npos)
      << r.err;
  r = s.engine_docker("run --rm --network=host " + m.args());
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("moat-runc: container cannot share the host's network namespace (Enhanced Container "
                       "Isolation runs every container in its own namespaces); run it without --network=host"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(m.ran());
}

// "0 100000 65536" -> 100000, or -1 for any other shape.
long range_base(const std::string& uid_map) {
  std::istringstream in(uid_map);
  long inside = -1, base = -1, size = -1;
  in >> inside >> base >> size;
  return inside == 0 && size == 65536 ? base : -1;
}

TEST(ContainerEscape, RuntimeRuncStillRunsIsolated) {
  auto& s = shared_stack();
  // Whatever the CLI names, the engine's only runtime is moat-runc.
  auto r = s.developer_docker("run --rm --runtime=runc moat-test/busybox cat /proc/self/uid_map");
  EXPECT_EQ(r.exit_code, 0) << r.all();
  EXPECT_GE(range_base(r.out), 100000) << r.out;
  ASSERT_EQ(s.engine_docker("run -d --runtime=runc --name esc-runc moat-test/busybox sleep 60").exit_code, 0);
  const auto pid = s.engine_docker("inspect -f '{{.State.Pid}}' esc-runc");
  const auto map = s.engine_docker("exec esc-runc cat /proc/self/uid_map");
  const long base = range_base(map.out);
  EXPECT_GE(base, 100000) << map.all();
  // On the host its root is an unprivileged uid of that range.
  EXPECT_EQ(run("stat -c %u /proc/" + pid.out.substr(0, pid.out.size() - 1)).out, std::to_string(base) + "\n");
  s.engine_docker("rm -f esc-runc");
}

TEST(ContainerEscape, UsernsHostIsRefusedForTheDeveloperAndIsolatedForRoot) {
  auto& s = shared_stack();
  RanMarker m;
  auto r = s.developer_docker("run --rm --userns=host " + m.args());
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("Moat refused this request: --userns=host is not allowed: the container would share the "
                       "host's user namespace" + kNamespaceRefusalTail),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(m.ran());
  r = s.engine_docker("run --rm --userns=host -v " + m.dir +
                      ":/out moat-test/busybox sh -c 'cat /proc/self/uid_map; echo ran > /out/ran'");
  EXPECT_EQ(r.exit_code, 0) << r.all();
  const long base = range_base(r.out);
  EXPECT_GE(base, 100000) << r.out;
  // What it wrote belongs to its range on the host, not to root.
  struct stat st {};
  ASSERT_EQ(::stat((m.dir + "/ran").c_str(), &st), 0);
  EXPECT_EQ(static_cast<long>(st.st_uid), base);
}

}  // namespace
}  // namespace moat::testing
