// A working directory that is a symbolic link, in the image, into
// /proc/self/fd (the CVE-2024-21626 family without "/proc" in its text):
// moat-runc resolves it inside the container's own root, at create for the
// image's WORKDIR and `-w`, and at exec in the running container's root,
// and refuses it with the path it resolves to. Each case is tried as the
// developer through moatd and as root straight at the engine socket, and
// checks on the host that no container process ran and that a refused
// create left no mounts or state behind.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "e2e/shared_stack.h"
#include "harness/host_paths.h"

namespace moat::testing {
namespace {

namespace fs = std::filesystem;

std::string resolved_refusal(const std::string& requested, const std::string& resolved) {
  return "moat-runc: container working directory " + requested + " resolves to " + resolved +
         ", which is refused (a working directory under /proc/self, /proc/thread-self or /proc/<pid> can "
         "reach the runtime's open files, as in CVE-2024-21626); choose a directory of the container's own "
         "filesystem";
}

// Links of the images below: an absolute one straight into /proc/self/fd,
// a relative one that climbs to /proc/self, and a plain directory.
const std::string kLinks =
    "RUN ln -s /proc/self/fd/7 /leak && mkdir -p /a/b && ln -s ../../proc/self /a/b/up && mkdir /plain\n";

// Built as root through the engine; `workdir` empty keeps the image's "/".
void build_image(TestStack& s, const std::string& tag, const std::string& workdir) {
  const std::string ctx = scratch_dir() + "/" + tag;
  fs::create_directories(ctx);
  std::ofstream(ctx + "/Dockerfile") << "FROM moat-test/busybox\n" << kLinks
                                     << (workdir.empty() ? "" : "WORKDIR " + workdir + "\n");
  const auto r = run("DOCKER_BUILDKIT=0 DOCKER_HOST=unix://" + s.engine_socket() + " docker build -q -t " + tag +
                     " " + ctx);
  fs::remove_all(ctx);
  ASSERT_EQ(r.exit_code, 0) << r.all();
}

// A directory the container may write to, on the host: a file appearing in
// it means a container process ran.
std::string marker_dir(TestStack& s, const std::string& name) {
  const std::string dir = developer_home() + "/" + name;
  const auto r = s.as_developer("rm -rf ~/" + name + " && mkdir ~/" + name + " && chmod 777 ~/" + name);
  EXPECT_EQ(r.exit_code, 0) << r.all();
  return dir;
}

struct Caller {
  std::string who;
  bool developer;
};

const std::vector<Caller> kCallers{{"developer", true}, {"root", false}};

CommandResult docker_as(TestStack& s, const Caller& c, const std::string& args) {
  return c.developer ? s.developer_docker(args) : s.engine_docker(args);
}

TEST(WorkingDirectorySymlink, ImageWorkdirLinkedIntoProcSelfFdIsRefusedAtCreate) {
  auto& s = shared_stack();
  build_image(s, "cwd-link-workdir", "/leak");
  const std::string marks = marker_dir(s, "cwd-link-create");
  const std::string containers = s.root() + "/runtime/containers";
  for (const Caller& c : kCallers) {
    const std::string name = "cwd-link-create-" + c.who;
    const std::string ran = "/mark/ran-" + c.who;
    auto r = docker_as(s, c, "create --name " + name + " -v " + marks + ":/mark cwd-link-workdir sh -c " +
                                 quote("touch " + ran));
    ASSERT_EQ(r.exit_code, 0) << c.who << ": " << r.all();
    const std::string id = s.engine_docker("inspect -f '{{.Id}}' " + name).out;
    ASSERT_EQ(id.size(), 65U) << id;  // 64 hex digits and a newline
    r = docker_as(s, c, "start -a " + name);
    EXPECT_NE(r.exit_code, 0) << c.who << ": " << r.all();
    EXPECT_NE(r.all().find(resolved_refusal("/leak", "/proc/self/fd/7")), std::string::npos)
        << c.who << ": " << r.all();
    EXPECT_FALSE(host_path_exists(marks + "/ran-" + c.who)) << c.who;
    // The refused create undid its ID-mapped root and freed its range.
    EXPECT_FALSE(host_path_exists(containers + "/" + id.substr(0, 64))) << c.who;
    EXPECT_EQ(run("grep -c " + quote(id.substr(0, 64)) + " /proc/self/mountinfo").out, "0\n") << c.who;
    s.engine_docker("rm -f " + name);

    // `run -w` through the relative link: the same refusal, naming both paths.
    r = docker_as(s, c, "run --rm -v " + marks + ":/mark -w /a/b/up/fd/7 cwd-link-workdir sh -c " +
                            quote("touch " + ran));
    EXPECT_NE(r.exit_code, 0) << c.who << ": " << r.all();
    EXPECT_NE(r.all().find(resolved_refusal("/a/b/up/fd/7", "/proc/self/fd/7")), std::string::npos)
        << c.who << ": " << r.all();
    EXPECT_FALSE(host_path_exists(marks + "/ran-" + c.who)) << c.who;
  }
  s.engine_docker("rmi cwd-link-workdir");
  run("rm -rf " + quote(marks));
}

// Before the container starts its root is only the image: moat-runc also
// counts what runc lays over it, a named volume's links and runc's own
// /dev/fd -> /proc/self/fd.
TEST(WorkingDirectorySymlink, LinksInVolumesAndRuncsDevLinksAreRefusedAtCreate) {
  auto& s = shared_stack();
  const std::string marks = marker_dir(s, "cwd-link-mounts");
  s.engine_docker("volume rm -f cwd-link-vol");
  ASSERT_EQ(s.engine_docker("volume create cwd-link-vol").exit_code, 0);
  auto r = s.engine_docker("run --rm -v cwd-link-vol:/data moat-test/busybox ln -s /proc/self/fd/7 /data/leak");
  ASSERT_EQ(r.exit_code, 0) << r.all();
  for (const Caller& c : kCallers) {
    const std::string touch = quote("touch /mark/ran-" + c.who);
    r = docker_as(s, c, "run --rm -v " + marks + ":/mark -v cwd-link-vol:/data -w /data/leak moat-test/busybox sh -c " +
                            touch);
    EXPECT_NE(r.exit_code, 0) << c.who << ": " << r.all();
    EXPECT_NE(r.all().find(resolved_refusal("/data/leak", "/proc/self/fd/7")), std::string::npos)
        << c.who << ": " << r.all();
    r = docker_as(s, c, "run --rm -v " + marks + ":/mark -w /dev/fd/7 moat-test/busybox sh -c " + touch);
    EXPECT_NE(r.exit_code, 0) << c.who << ": " << r.all();
    EXPECT_NE(r.all().find(resolved_refusal("/dev/fd/7", "/proc/self/fd/7")), std::string::npos)
        << c.who << ": " << r.all();
    EXPECT_FALSE(host_path_exists(marks + "/ran-" + c.who)) << c.who;
    // The volume's own directories stay usable as working directories.
    r = docker_as(s, c, "run --rm -v cwd-link-vol:/data -w /data/sub moat-test/busybox pwd");
    EXPECT_EQ(r.exit_code, 0) << c.who << ": " << r.all();
    EXPECT_EQ(r.out, "/data/sub\n") << c.who;
  }
  s.engine_docker("volume rm -f cwd-link-vol");
  run("rm -rf " + quote(marks));
}

TEST(WorkingDirectorySymlink, ImageWithLinksRunsWithItsOwnDirectories) {
  auto& s = shared_stack();
  build_image(s, "cwd-link-plain", "/plain");
  // The same image still runs with a working directory of its own.
  for (const Caller& c : kCallers) {
    auto r = docker_as(s, c, "run --rm cwd-link-plain pwd");
    EXPECT_EQ(r.exit_code, 0) << c.who << ": " << r.all();
    EXPECT_EQ(r.out, "/plain\n") << c.who;
    r = docker_as(s, c, "run --rm -w /a/b cwd-link-plain pwd");
    EXPECT_EQ(r.exit_code, 0) << c.who << ": " << r.all();
    EXPECT_EQ(r.out, "/a/b\n") << c.who;
  }
  s.engine_docker("rmi cwd-link-plain");
}

TEST(WorkingDirectorySymlink, ExecWorkdirLinkedIntoProcSelfFdIsRefused) {
  auto& s = shared_stack();
  build_image(s, "cwd-link-exec", "");
  const std::string marks = marker_dir(s, "cwd-link-exec");
  ASSERT_EQ(s.developer_docker("run -d --name cwd-link-exec -v " + marks + ":/mark cwd-link-exec sleep 120").exit_code,
            0);
  const std::vector<std::pair<std::string, std::string>> dirs{{"/leak", "/proc/self/fd/7"},
                                                              {"/a/b/up/fd/7", "/proc/self/fd/7"},
                                                              {"/a/b/up", "/proc/self"}};
  for (const Caller& c : kCallers) {
    for (const auto& [dir, resolved] : dirs) {
      const auto r = docker_as(s, c, "exec -w " + dir + " cwd-link-exec sh -c " + quote("touch /mark/exec-" + c.who));
      EXPECT_NE(r.exit_code, 0) << c.who << " " << dir << ": " << r.all();
      // docker exec prints the runtime's error on its standard output.
      EXPECT_NE(r.all().find("OCI runtime exec failed: " + resolved_refusal(dir, resolved)), std::string::npos)
          << c.who << " " << dir << ": " << r.all();
      EXPECT_FALSE(host_path_exists(marks + "/exec-" + c.who)) << c.who << " " << dir;
    }
    // Ordinary working directories of the running container still work,
    // with the default one and with -w.
    auto r = docker_as(s, c, "exec cwd-link-exec pwd");
    EXPECT_EQ(r.exit_code, 0) << c.who << ": " << r.all();
    EXPECT_EQ(r.out, "/\n") << c.who;
    r = docker_as(s, c, "exec -w /a/b cwd-link-exec pwd");
    EXPECT_EQ(r.exit_code, 0) << c.who << ": " << r.all();
    EXPECT_EQ(r.out, "/a/b\n") << c.who;
  }
  s.engine_docker("rm -f cwd-link-exec");
  s.engine_docker("rmi cwd-link-exec");
  run("rm -rf " + quote(marks));
}

}  // namespace
}  // namespace moat::testing
