#include "harness/test_stack.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace moat::testing {
namespace {

namespace fs = std::filesystem;

void require(const CommandResult& r, const std::string& what) {
  if (r.exit_code != 0) throw std::runtime_error(what + " failed: " + r.all());
}

// A non-root account in group docker, made if missing.
std::string ensure_developer(const std::string& user) {
  if (run("id -u " + user).exit_code != 0) {
    require(run("useradd --create-home --shell /bin/sh --groups docker " + user), "creating developer " + user);
  }
  require(run("id -nG " + user + " | grep -qw docker || usermod -aG docker " + user),
          "adding " + user + " to group docker");
  return user;
}

}  // namespace

std::string bin_dir() { return MOAT_BIN_DIR; }

const std::string& scratch_dir() {
  static const std::string dir = [] {
    // Short: the engine's containerd socket lives below it and unix socket
    // paths are limited to 107 bytes.
    const std::string d = "/tmp/moat-e2e-" + std::to_string(::getpid());
    fs::create_directories(d);
    ::chmod(d.c_str(), 0755);
    return d;
  }();
  return dir;
}

const std::string& developer() {
  static const std::string name = ensure_developer("moat-dev");
  return name;
}

const std::string& other_developer() {
  static const std::string name = ensure_developer("moat-dev2");
  return name;
}

std::string developer_home() { return "/home/" + developer(); }

std::string test_admin_settings(const std::string& extra_members) {
  std::string s = R"({"configurationFileVersion": 2,
  "linuxVM": {"dockerDaemonOptions": {"locked": true,
    "value": "{\"bridge\": \"none\", \"iptables\": false, \"ip6tables\": false}"}})";
  if (!extra_members.empty()) s += ",\n  " + extra_members;
  return s + "\n}\n";
}

TestStack::TestStack(const std::string& name, const std::string& admin_settings_json)
    : root_(scratch_dir() + "/" + name), admin_settings_(scratch_dir() + "/" + name + "-admin.json") {
  std::ofstream(admin_settings_) << admin_settings_json;
  ::chmod(admin_settings_.c_str(), 0644);
}

TestStack::~TestStack() {
  down();
  std::error_code ec;
  fs::remove_all(root_, ec);
  fs::remove(admin_settings_, ec);
}

CommandResult TestStack::moatctl(const std::string& args) {
  return run(bin_dir() + "/moatctl " + args);
}

CommandResult TestStack::up() {
  return moatctl("up --root " + quote(root_) + " --admin-settings " + quote(admin_settings_));
}

CommandResult TestStack::down() { return moatctl("down --root " + quote(root_)); }

CommandResult TestStack::as_account(const std::string& user, const std::string& command,
                                    std::chrono::seconds timeout) {
  return run("cd / && runuser -u " + user + " -- env HOME=/home/" + user + " DOCKER_HOST=unix://" + user_socket() +
                 " PATH=/usr/local/bin:/usr/bin:/bin sh -c " + quote(command),
             timeout);
}

CommandResult TestStack::as_developer(const std::string& command, std::chrono::seconds timeout) {
  return as_account(developer(), command, timeout);
}

CommandResult TestStack::developer_docker(const std::string& args, std::chrono::seconds timeout) {
  return as_developer("docker " + args, timeout);
}

CommandResult TestStack::other_developer_docker(const std::string& args, std::chrono::seconds timeout) {
  return as_account(other_developer(), "docker " + args, timeout);
}

CommandResult TestStack::engine_docker(const std::string& args) {
  return run("DOCKER_HOST=unix://" + engine_socket() + " docker " + args);
}

std::string TestStack::logs() const {
  return run("for f in " + root_ + "/logs/*.log; do echo \"== $f\"; tail -n 30 $f; done").all();
}

std::string TestStack::sanitizer_reports() const {
  return run("grep -hE 'ERROR: (Address|Leak)Sanitizer|runtime error:' " + root_ + "/logs/moatd.log || true").out;
}

void TestStack::build_test_images() {
  const std::string ctx = root_ + "-images";
  fs::create_directories(ctx + "/rootfs/bin");
  fs::copy_file("/bin/busybox", ctx + "/rootfs/bin/busybox", fs::copy_options::overwrite_existing);
  require(run("cd " + ctx + "/rootfs/bin && for c in $(./busybox --list); do [ -e $c ] || ln -s busybox $c; done"),
          "linking busybox applets");
  fs::create_directories(ctx + "/rootfs/etc");
  fs::create_directories(ctx + "/rootfs/tmp");
  std::ofstream(ctx + "/rootfs/etc/passwd") << "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n";
  std::ofstream(ctx + "/rootfs/etc/group") << "root:x:0:\nnogroup:x:65534:\n";
  require(run("tar -C " + ctx + "/rootfs -c . | DOCKER_HOST=unix://" + engine_socket() +
              " docker import - moat-test/busybox:latest"),
          "importing busybox");
  // Several layers: each RUN and COPY adds one.
  std::ofstream(ctx + "/Dockerfile") << "FROM moat-test/busybox\n"
                                        "RUN mkdir -p /data && echo one > /data/1\n"
                                        "RUN echo two > /data/2\n"
                                        "COPY Dockerfile /data/Dockerfile\n"
                                        "RUN echo four > /data/4\n"
                                        "RUN chmod 0700 /data/4 && echo app:x:1000:1000::/:/bin/sh >> /etc/passwd"
                                        " && echo app:x:1000: >> /etc/group\n";
  require(run("DOCKER_BUILDKIT=0 DOCKER_HOST=unix://" + engine_socket() + " docker build -q -t moat-test/layers " + ctx),
          "building moat-test/layers");
  fs::remove_all(ctx);
}

}  // namespace moat::testing
