// Whom container root writes a bind-mounted host directory as: the
// developer who created the container (moat.bindMountsWriteAs "developer",
// the default), so a build in a container leaves its output in the
// developer's project as theirs; the container's own unprivileged range for
// containers root starts at the engine socket, or with "containerRange".
// Never host root.
#include <gtest/gtest.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "e2e/shared_stack.h"
#include "harness/raw_socket.h"

namespace moat::testing {
namespace {

struct Owner {
  uid_t uid = 0;
  gid_t gid = 0;
};

Owner developer_ids() {
  const passwd* pw = ::getpwnam(developer().c_str());
  return pw == nullptr ? Owner{} : Owner{pw->pw_uid, pw->pw_gid};
}

// "uid:gid mode" of a host path, or "<absent>".
std::string host_stat(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return "<absent>";
  std::ostringstream out;
  out << st.st_uid << ":" << st.st_gid << " " << std::oct << (st.st_mode & 07777);
  return out.str();
}

std::string ids(const Owner& o) { return std::to_string(o.uid) + ":" + std::to_string(o.gid); }

// A fresh directory in the developer's home, made by the developer.
std::string developer_dir(TestStack& s, const std::string& name) {
  EXPECT_EQ(s.as_developer("rm -rf ~/" + name + " && mkdir ~/" + name).exit_code, 0);
  return developer_home() + "/" + name;
}

TEST(HostBindOwnership, ADevelopersContainerWritesTheirDirectoryAsThem) {
  auto& s = shared_stack();
  const Owner dev = developer_ids();
  const std::string dir = developer_dir(s, "own-proj");
  ASSERT_EQ(run("echo root-data > " + dir + "/root-file && chmod 666 " + dir + "/root-file").exit_code, 0);
  const auto r = s.developer_docker(
      "run --rm -v " + dir + ":/src -w /src moat-test/busybox sh -c " +
      quote("stat -c '%u:%g' /src; echo built > out.txt && mkdir -p bin && cp /bin/busybox bin/tool && "
            "chmod 4755 bin/tool && echo written; chown 5:5 out.txt 2>/dev/null || echo chown-refused; "
            "{ echo x >> root-file; } 2>/dev/null || echo root-file-refused"));
  EXPECT_EQ(r.exit_code, 0) << r.all();
  EXPECT_EQ(r.out, "0:0\nwritten\nchown-refused\nroot-file-refused\n") << r.all();
  EXPECT_EQ(host_stat(dir + "/out.txt"), ids(dev) + " 644");
  EXPECT_EQ(host_stat(dir + "/bin"), ids(dev) + " 755");
  // The setuid bit stays, on the developer's own file: no more than the
  // developer could do with chmod.
  EXPECT_EQ(host_stat(dir + "/bin/tool"), ids(dev) + " 4755");
  EXPECT_EQ(host_stat(dir + "/root-file"), "0:0 666");
  EXPECT_EQ(run("cat " + dir + "/root-file").out, "root-data\n");
  run("rm -rf " + dir);
}

// The label that names the developer is moatd's: one the client sends is
// replaced, and the engine's record shows whom the container writes as.
TEST(HostBindOwnership, TheOwnerLabelIsMoatdsNotTheClients) {
  auto& s = shared_stack();
  const Owner dev = developer_ids();
  const std::string dir = developer_dir(s, "own-label");
  auto r = s.developer_docker("create --name own-label --label moat.owner=0:0:00000000000000000000000000000000 -v " +
                              dir + ":/src moat-test/busybox sh -c 'echo x > /src/f'");
  ASSERT_EQ(r.exit_code, 0) << r.all();
  r = s.engine_docker("inspect -f '{{index .Config.Labels \"moat.owner\"}}' own-label");
  EXPECT_EQ(r.out.substr(0, ids(dev).size() + 1), ids(dev) + ":") << r.out;
  EXPECT_EQ(r.out.size(), ids(dev).size() + 1 + 32 + 1) << r.out;
  r = s.developer_docker("start -a own-label");
  EXPECT_EQ(r.exit_code, 0) << r.all();
  EXPECT_EQ(host_stat(dir + "/f"), ids(dev) + " 644");
  s.developer_docker("rm -f own-label");
  run("rm -rf " + dir);
}

// Root at the engine socket names no developer: its container writes a host
// directory as its own range, never as root.
TEST(HostBindOwnership, ARootStartedContainerWritesAsItsOwnRange) {
  auto& s = shared_stack();
  const std::string dir = developer_dir(s, "own-root");
  ASSERT_EQ(run("chmod 777 " + dir).exit_code, 0);
  const auto r = s.engine_docker("run --rm -v " + dir + ":/src moat-test/busybox sh -c 'echo x > /src/f'");
  EXPECT_EQ(r.exit_code, 0) << r.all();
  struct stat st {};
  ASSERT_EQ(::stat((dir + "/f").c_str(), &st), 0);
  EXPECT_GE(st.st_uid, 100000U);
  EXPECT_EQ(st.st_uid, st.st_gid);
  run("rm -rf " + dir);
}

// A developer's container writes their directories as them, so no other
// developer may run a command in it or attach to it: that would write the
// first developer's files as them. The creator still may.
TEST(HostBindOwnership, AnotherDeveloperCannotRunCommandsInADevelopersContainer) {
  auto& s = shared_stack();
  const Owner dev = developer_ids();
  const std::string dir = developer_dir(s, "own-other");
  ASSERT_EQ(s.as_developer("chmod 700 ~/own-other").exit_code, 0);
  s.developer_docker("rm -f own-other");
  ASSERT_EQ(s.developer_docker("run -d --name own-other -v " + dir + ":/src moat-test/busybox sleep 60").exit_code, 0);

  const std::string refusal = "Moat refused this request: container own-other was created by another developer (uid " +
                              std::to_string(dev.uid) +
                              "): only they may run commands in it or attach to it, since it writes their "
                              "bind-mounted directories as them (rule container.other-developer).";
  // The CLI inspects the container first, and that read is refused already
  // (AnotherDeveloperCannotReadADevelopersContainer); the exec itself is too.
  auto r = s.other_developer_docker("exec own-other sh -c 'echo planted > /src/planted'");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("Moat refused this request: container own-other was created by another developer"),
            std::string::npos)
      << r.all();
  const std::string exec_body = R"({"Cmd":["sh","-c","echo planted > /src/planted"]})";
  const std::string exec = raw_exchange(
      s.user_socket(),
      "POST /v1.41/containers/own-other/exec HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: " +
          std::to_string(exec_body.size()) + "\r\n\r\n" + exec_body,
      other_developer());
  EXPECT_EQ(http_status(exec), 403) << exec;
  EXPECT_NE(exec.find(refusal), std::string::npos) << exec;
  // The CLI inspects the container before it attaches, and that read is
  // refused with its reason; a client that attaches at once is refused at
  // the attach, and finds the reason among its own audit records.
  r = s.other_developer_docker("attach --no-stdin own-other", std::chrono::seconds(20));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("Moat refused this request: container own-other was created by another developer"),
            std::string::npos)
      << r.all();
  const std::string attached = raw_exchange(
      s.user_socket(), "POST /v1.41/containers/own-other/attach?stream=1&stdout=1 HTTP/1.0\r\n\r\n", other_developer());
  EXPECT_EQ(http_status(attached), 403) << attached;
  EXPECT_EQ(host_stat(dir + "/planted"), "<absent>");
  r = run("runuser -u " + other_developer() + " -- " + bin_dir() +
          "/moatctl audit query --rule container.other-developer --root " + s.root());
  EXPECT_NE(r.out.find(" POST /v1.41/containers/own-other/attach?"), std::string::npos) << r.all();
  EXPECT_NE(r.out.find("container own-other was created by another developer"), std::string::npos) << r.all();

  r = s.developer_docker("exec own-other sh -c 'echo mine > /src/mine'");
  EXPECT_EQ(r.exit_code, 0) << r.all();
  EXPECT_EQ(host_stat(dir + "/mine"), ids(dev) + " 644");
  s.developer_docker("rm -f own-other");
  run("rm -rf " + dir);
}

// An exec its creator made and has not started yet: another developer who
// learnt its id (the event stream shows it) must not start it and take its
// input and output.
TEST(HostBindOwnership, AnotherDeveloperCannotStartADevelopersExec) {
  auto& s = shared_stack();
  const Owner dev = developer_ids();
  s.developer_docker("rm -f own-exec");
  ASSERT_EQ(s.developer_docker("run -d --name own-exec moat-test/busybox sleep 60").exit_code, 0);
  const std::string create_body = R"({"Cmd":["echo","started"],"AttachStdout":true})";
  const std::string created = raw_exchange(
      s.user_socket(),
      "POST /v1.41/containers/own-exec/exec HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: " +
          std::to_string(create_body.size()) + "\r\n\r\n" + create_body,
      developer());
  ASSERT_EQ(http_status(created), 201) << created;
  const std::string exec = nlohmann::json::parse(http_body(created)).at("Id").get<std::string>();
  const std::string start_body = R"({"Detach":true,"Tty":false})";
  const std::string start = "POST /v1.41/exec/" + exec +
                            "/start HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: " +
                            std::to_string(start_body.size()) + "\r\n\r\n" + start_body;

  const std::string taken = raw_exchange(s.user_socket(), start, other_developer());
  EXPECT_EQ(http_status(taken), 403) << taken;
  EXPECT_NE(taken.find("Moat refused this request: container " + s.engine_docker("inspect -f '{{.Id}}' own-exec").out.substr(0, 64) +
                       " was created by another developer (uid " + std::to_string(dev.uid) + ")"),
            std::string::npos)
      << taken;
  const std::string unknown = raw_exchange(
      s.user_socket(),
      "POST /v1.41/exec/0000000000000000000000000000000000000000000000000000000000000000/start HTTP/1.0\r\n"
      "Content-Type: application/json\r\nContent-Length: " +
          std::to_string(start_body.size()) + "\r\n\r\n" + start_body,
      other_developer());
  EXPECT_EQ(http_status(unknown), 404) << unknown;  // the engine's own "No such exec instance"
  const std::string mine = raw_exchange(s.user_socket(), start, developer());
  EXPECT_EQ(http_status(mine), 200) << mine;
  s.developer_docker("rm -f own-exec");
}

// What is in a developer's container is theirs: another developer can copy
// no file out of it, export it, commit it to an image of their own, read its
// output, list its processes or changed files, or inspect it (its
// environment). The creator still may; docker ps still lists it.
TEST(HostBindOwnership, AnotherDeveloperCannotReadADevelopersContainer) {
  auto& s = shared_stack();
  const Owner dev = developer_ids();
  s.developer_docker("rm -f own-read");
  ASSERT_EQ(s.developer_docker("run -d --name own-read moat-test/busybox sh -c "
                               "'echo s3cret > /secret; echo logged-s3cret; sleep 60'")
                .exit_code,
            0);
  const std::string refusal = "Moat refused this request: container own-read was created by another developer (uid " +
                              std::to_string(dev.uid) +
                              "): only they may read what is in it (its files, output, processes and "
                              "configuration, environment included) (rule container.other-developer).";
  for (const std::string command : {"cp own-read:/secret -", "export own-read", "commit own-read own-read-stolen",
                                    "inspect own-read", "top own-read", "diff own-read"}) {
    const auto r = s.other_developer_docker(command);
    EXPECT_NE(r.exit_code, 0) << command;
    EXPECT_NE(r.err.find(refusal), std::string::npos) << command << ": " << r.all();
    EXPECT_EQ(r.out.find("s3cret"), std::string::npos) << command;
  }
  // The CLI inspects the container before it asks for the logs.
  auto r = s.other_developer_docker("logs own-read");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find(refusal), std::string::npos) << r.all();
  EXPECT_EQ(r.out.find("s3cret"), std::string::npos);
  EXPECT_NE(s.engine_docker("image inspect own-read-stolen").exit_code, 0);
  r = s.other_developer_docker("ps --filter name=own-read --format '{{.Names}}'");
  EXPECT_EQ(r.out, "own-read\n") << r.all();

  r = s.developer_docker("logs own-read");
  EXPECT_EQ(r.out, "logged-s3cret\n") << r.all();
  r = s.developer_docker("inspect -f '{{.Name}}' own-read");
  EXPECT_EQ(r.out, "/own-read\n") << r.all();
  r = s.developer_docker("cp own-read:/secret -");  // a tar, which holds the text as it is
  EXPECT_NE(r.out.find("s3cret"), std::string::npos) << r.all();
  s.developer_docker("rm -f own-read");
}

// The shared stack's admin settings with moat.bindMountsWriteAs set, until
// the object goes; moatd takes a changed file within seconds.
class WriteAsSetting {
 public:
  WriteAsSetting(TestStack& s, const std::string& value) : s_(s) {
    std::ifstream in(s.admin_settings());
    std::ostringstream text;
    text << in.rdbuf();
    original_ = text.str();
    auto doc = nlohmann::json::parse(original_);
    doc["moat"]["bindMountsWriteAs"] = {{"locked", true}, {"value", value}};
    write(doc.dump(2) + "\n");
  }
  ~WriteAsSetting() { write(original_); }
  WriteAsSetting(const WriteAsSetting&) = delete;
  WriteAsSetting& operator=(const WriteAsSetting&) = delete;

 private:
  void write(const std::string& text) {
    const std::string tmp = s_.admin_settings() + ".new";
    std::ofstream(tmp) << text;
    ::chmod(tmp.c_str(), 0644);
    ::rename(tmp.c_str(), s_.admin_settings().c_str());
  }
  TestStack& s_;
  std::string original_;
};

// Whether a container created now carries an owner label; nothing when
// the create itself failed, which answers neither way.
std::optional<bool> creates_labelled(TestStack& s) {
  s.developer_docker("rm -f own-probe");
  if (s.developer_docker("create --name own-probe moat-test/busybox true").exit_code != 0) return std::nullopt;
  const auto r = s.engine_docker("inspect -f '{{index .Config.Labels \"moat.owner\"}}' own-probe");
  s.developer_docker("rm -f own-probe");
  if (r.exit_code != 0) return std::nullopt;
  return r.out != "\n" && r.out != "<no value>\n";
}

bool wait_for_labels(TestStack& s, bool labelled) {
  for (int i = 0; i < 40; ++i) {
    if (creates_labelled(s) == std::optional<bool>(labelled)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  return false;
}

TEST(HostBindOwnership, WithContainerRangeTheDevelopersContainerWritesAsItsOwnRange) {
  auto& s = shared_stack();
  const std::string dir = developer_dir(s, "own-range");
  ASSERT_EQ(run("chmod 777 " + dir).exit_code, 0);
  {
    const WriteAsSetting setting(s, "containerRange");
    ASSERT_TRUE(wait_for_labels(s, false)) << "moatd did not take moat.bindMountsWriteAs \"containerRange\"";
    const auto r = s.developer_docker("run --rm -v " + dir + ":/src moat-test/busybox sh -c 'echo x > /src/f'");
    EXPECT_EQ(r.exit_code, 0) << r.all();
    struct stat st {};
    ASSERT_EQ(::stat((dir + "/f").c_str(), &st), 0);
    EXPECT_GE(st.st_uid, 100000U);
  }
  EXPECT_TRUE(wait_for_labels(s, true)) << "moatd did not take the settings back";
  run("rm -rf " + dir);
}

// Labels are readable by every developer, and an image can carry any label,
// which the engine copies to each container made from it unless the create
// sets that label itself. So a label sealed for one developer, copied into
// an image, must never make another container write as that developer: here
// the developer's own, with "containerRange", where moatd names no one.
TEST(HostBindOwnership, ASealedLabelCopiedIntoAnImageIsNotBelieved) {
  auto& s = shared_stack();
  const Owner dev = developer_ids();
  const std::string dir = developer_dir(s, "own-copied");
  ASSERT_EQ(run("chmod 777 " + dir).exit_code, 0);
  s.developer_docker("rm -f own-copied-src");
  ASSERT_EQ(s.developer_docker("create --name own-copied-src moat-test/busybox true").exit_code, 0);
  auto r = s.developer_docker("inspect -f '{{index .Config.Labels \"moat.owner\"}}' own-copied-src");
  ASSERT_EQ(r.exit_code, 0) << r.all();
  const std::string label = r.out.substr(0, r.out.size() - 1);
  ASSERT_TRUE(label.starts_with(ids(dev) + ":")) << label;
  r = s.developer_docker("commit --change 'LABEL moat.owner=" + label + "' own-copied-src moat-test/copied-label");
  ASSERT_EQ(r.exit_code, 0) << r.all();
  s.developer_docker("rm -f own-copied-src");
  {
    const WriteAsSetting setting(s, "containerRange");
    ASSERT_TRUE(wait_for_labels(s, false)) << "moatd did not take moat.bindMountsWriteAs \"containerRange\"";
    r = s.developer_docker("create --name own-copied -v " + dir + ":/src moat-test/copied-label sh -c 'echo x > /src/f'");
    ASSERT_EQ(r.exit_code, 0) << r.all();
    r = s.engine_docker("inspect -f '{{json .Config.Labels}}' own-copied");
    EXPECT_EQ(r.out, "{\"moat.owner\":\"\"}\n") << r.all();
    r = s.developer_docker("start -a own-copied");
    EXPECT_EQ(r.exit_code, 0) << r.all();
    struct stat st {};
    ASSERT_EQ(::stat((dir + "/f").c_str(), &st), 0);
    EXPECT_GE(st.st_uid, 100000U) << "the copied label was believed: the container wrote as uid " << st.st_uid;
    s.developer_docker("rm -f own-copied");
  }
  EXPECT_TRUE(wait_for_labels(s, true)) << "moatd did not take the settings back";
  s.developer_docker("rmi moat-test/copied-label");
  run("rm -rf " + dir);
}

}  // namespace
}  // namespace moat::testing
