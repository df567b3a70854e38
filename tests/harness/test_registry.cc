#include "harness/test_registry.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "harness/command.h"
#include "harness/test_stack.h"

namespace moat::testing {
namespace {

namespace fs = std::filesystem;

void require(const CommandResult& r, const std::string& what) {
  if (r.exit_code != 0) throw std::runtime_error("test registry: " + what + " failed: " + r.all());
}

// One CA per test process, made on first use.
const std::string& test_ca_dir() {
  static const std::string dir = [] {
    const std::string d = scratch_dir() + "/registry-ca";
    fs::create_directories(d);
    require(run("cd " + d +
                " && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key"
                " -out ca.crt -days 2 -subj '/CN=Moat test registry CA' 2>&1"),
            "making the test CA");
    return d;
  }();
  return dir;
}

// Entries this harness adds to the host's trust store; update-ca-certificates
// reads every *.crt there.
constexpr const char* kHostStoreDir = "/usr/local/share/ca-certificates";
constexpr const char* kHostStorePrefix = "moat-test-registry-";

}  // namespace

TestRegistry::TestRegistry(int index) {
  const std::string subnet = "198.18." + std::to_string(index);
  const std::string host_ip = subnet + ".1";
  const std::string registry_ip = subnet + ".2";
  address_ = registry_ip + ":5000";
  const std::string tag = std::to_string(::getpid() % 100000) + std::to_string(index);
  netns_ = "moat-reg-" + tag;
  dir_ = scratch_dir() + "/registry-" + std::to_string(index);
  certs_dir_ = "/etc/docker/certs.d/" + address_;
  fs::create_directories(dir_ + "/data");

  const std::string& ca = test_ca_dir();
  std::ofstream(dir_ + "/san.ext") << "subjectAltName=IP:" << registry_ip << "\n";
  require(run("cd " + dir_ +
              " && openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout server.key"
              " -out server.csr -subj '/CN=" + registry_ip + "' 2>&1 && openssl x509 -req -in server.csr -CA " +
              ca + "/ca.crt -CAkey " + ca + "/ca.key -CAcreateserial -out server.crt -days 2 -extfile san.ext 2>&1"),
          "making the registry's certificate");
  std::ofstream(dir_ + "/config.yml") << "version: 0.1\n"
                                         "log:\n  level: info\n  accesslog:\n    disabled: true\n"
                                         "storage:\n  filesystem:\n    rootdirectory: "
                                      << dir_ << "/data\n"
                                      << "http:\n  addr: " << address_ << "\n  tls:\n    certificate: " << dir_
                                      << "/server.crt\n    key: " << dir_ << "/server.key\n";

  const std::string veth_host = "mr" + tag + "h";
  const std::string veth_ns = "mr" + tag + "n";
  require(run("ip netns add " + netns_ + " && ip link add " + veth_host + " type veth peer name " + veth_ns +
              " && ip link set " + veth_ns + " netns " + netns_ + " && ip addr add " + host_ip + "/30 dev " +
              veth_host + " && ip link set " + veth_host + " up && ip netns exec " + netns_ + " ip addr add " +
              registry_ip + "/30 dev " + veth_ns + " && ip netns exec " + netns_ + " ip link set " + veth_ns +
              " up && ip netns exec " + netns_ + " ip link set lo up"),
          "making network namespace " + netns_);
  fs::create_directories(certs_dir_);
  fs::copy_file(ca + "/ca.crt", certs_dir_ + "/ca.crt", fs::copy_options::overwrite_existing);

  const auto started = run("setsid ip netns exec " + netns_ + " docker-registry serve " + dir_ +
                           "/config.yml > " + dir_ + "/registry.log 2>&1 < /dev/null & echo $!");
  require(started, "starting docker-registry");
  pid_ = started.out.substr(0, started.out.find('\n'));
  for (int i = 0; i < 100; ++i) {
    if (run("curl -sf --max-time 1 --cacert " + ca + "/ca.crt https://" + address_ + "/v2/ -o /dev/null")
            .exit_code == 0) {
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  throw std::runtime_error("test registry " + address_ + " did not answer over TLS: " + log());
}

void TestRegistry::serve_files(const std::string& dir) {
  const auto started = run("setsid ip netns exec " + netns_ + " busybox httpd -f -vv -p " + host() + ":80 -h " + dir +
                           " > " + dir_ + "/files.log 2>&1 < /dev/null & echo $!");
  require(started, "starting the file server");
  files_pid_ = started.out.substr(0, started.out.find('\n'));
  for (int i = 0; i < 100; ++i) {
    if (run("curl -s --max-time 1 -o /dev/null http://" + host() + "/").exit_code == 0) {
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  throw std::runtime_error("file server on " + host() + " did not answer");
}

void TestRegistry::trust_in_host_store() {
  if (!host_store_entry_.empty()) return;
  // An entry left by a test process that died is removed with this one's.
  run(std::string("rm -f ") + kHostStoreDir + "/" + kHostStorePrefix + "*.crt");
  host_store_entry_ = std::string(kHostStoreDir) + "/" + kHostStorePrefix + std::to_string(::getpid()) + ".crt";
  fs::copy_file(test_ca_dir() + "/ca.crt", host_store_entry_, fs::copy_options::overwrite_existing);
  require(run("update-ca-certificates 2>&1"), "adding the test CA to the host's trust store");
}

std::string TestRegistry::get(const std::string& path, const std::string& accept) const {
  const auto r = run("curl -sSf --max-time 10 --cacert " + test_ca_dir() + "/ca.crt -H 'Accept: " + accept +
                     "' https://" + address_ + path);
  require(r, "GET " + path);
  return r.out;
}

int TestRegistry::file_requests() const {
  const auto r = run("grep -c 'url:' " + dir_ + "/files.log || true");
  return std::stoi(r.out.empty() ? "0" : r.out);
}

TestRegistry::~TestRegistry() {
  if (!files_pid_.empty()) run("kill " + files_pid_ + " 2>/dev/null; true");
  if (!pid_.empty()) run("kill " + pid_ + " 2>/dev/null; sleep 0.2; kill -9 " + pid_ + " 2>/dev/null; true");
  run("ip netns del " + netns_ + " 2>/dev/null; true");
  std::error_code ec;
  if (!host_store_entry_.empty() && fs::remove(host_store_entry_, ec)) run("update-ca-certificates 2>&1");
  fs::remove_all(certs_dir_, ec);
  fs::remove_all(dir_, ec);
}

void TestRegistry::copy_contents_from(const TestRegistry& other) {
  require(run("cp -a " + other.dir_ + "/data/. " + dir_ + "/data/"), "copying registry contents");
}

int TestRegistry::requests() const {
  // One "response completed" line per HTTP request the registry answered.
  const auto r = run("grep -c 'response completed' " + dir_ + "/registry.log || true");
  return std::stoi(r.out.empty() ? "0" : r.out);
}

std::string TestRegistry::log() const {
  std::ifstream in(dir_ + "/registry.log");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace moat::testing
