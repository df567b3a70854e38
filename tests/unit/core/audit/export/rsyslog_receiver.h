#pragma once
// A real syslog collector for tests: Debian's rsyslogd with its own
// configuration in a temporary directory, receiving on a free port of
// 127.0.0.1 over plain TCP or TLS (the ossl driver, with a key and
// certificate for 127.0.0.1 made here from a test CA), and writing every
// message it takes, as received, one per line, to a file.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "support/temp_dir.h"

namespace moat::testing_rsyslog {

inline std::string read_all(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void shell(const std::string& command) {
  if (std::system((command + " >/dev/null 2>&1").c_str()) != 0) {
    throw std::runtime_error("test setup failed: " + command);
  }
}

class RsyslogReceiver {
 public:
  enum class Mode { kTcp, kTls };

  explicit RsyslogReceiver(Mode mode) : mode_(mode) {
    std::filesystem::permissions(dir_.path(), std::filesystem::perms(0755));
    if (mode_ == Mode::kTls) {
      make_certificates("ca", "collector", "IP:127.0.0.1");
      // A second CA the collector's certificate does not chain to.
      shell("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "
            "'/CN=Other Test CA' -keyout " + path("other-ca.key") + " -out " + path("other-ca.pem"));
    }
  }

  ~RsyslogReceiver() { stop(); }
  RsyslogReceiver(const RsyslogReceiver&) = delete;
  RsyslogReceiver& operator=(const RsyslogReceiver&) = delete;

  // The first start picks a free port; later starts reuse it.
  void start() {
    if (pid_ > 0) return;
    std::filesystem::remove(path("port"));
    write_config();
    pid_ = ::fork();
    if (pid_ == 0) {
      const std::string conf = path("rsyslog.conf");
      const std::string pidfile = path("rsyslogd.pid");
      const std::string log = path("rsyslogd.out");
      if (std::freopen(log.c_str(), "a", stdout) == nullptr || std::freopen(log.c_str(), "a", stderr) == nullptr) {
        ::_exit(126);
      }
      ::execl("/usr/sbin/rsyslogd", "rsyslogd", "-n", "-f", conf.c_str(), "-i", pidfile.c_str(),
              static_cast<char*>(nullptr));
      ::_exit(127);
    }
    // Ready when the port takes connections. A first start learns the port
    // from the file rsyslogd writes, read again each time: rsyslogd may
    // write it before it listens (a test then met "Connection refused"), and
    // a read may catch it half written.
    const bool picks_port = port_ == 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    for (;;) {
      if (picks_port) {
        const std::string text = read_all(path("port"));
        port_ = text.empty() ? 0 : std::stoi(text);
      }
      if (port_ != 0 && accepts_connections()) return;
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        throw std::runtime_error("rsyslogd exited at start: " + diagnostics());
      }
      if (std::chrono::steady_clock::now() > deadline) {
        throw std::runtime_error("rsyslogd did not listen within 20 s: " + diagnostics());
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }

  int port() const { return port_; }
  std::string target() const {
    return std::string(mode_ == Mode::kTls ? "tls" : "tcp") + "://127.0.0.1:" + std::to_string(port_);
  }
  std::string ca_file() const { return path("ca.pem"); }
  std::string other_ca_file() const { return path("other-ca.pem"); }
  std::string diagnostics() const { return read_all(path("rsyslogd.out")); }

  // Every message taken so far, as the collector received it.
  std::vector<std::string> messages() const {
    std::vector<std::string> out;
    const std::string text = read_all(path("received.log"));
    std::size_t start = 0;
    while (start < text.size()) {
      const auto end = text.find('\n', start);
      if (end == std::string::npos) break;  // being written
      out.push_back(text.substr(start, end - start));
      start = end + 1;
    }
    return out;
  }

  // Waits until at least `count` messages arrived (or the timeout passed).
  std::vector<std::string> wait_for(std::size_t count,
                                    std::chrono::seconds timeout = std::chrono::seconds(30)) const {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      auto got = messages();
      if (got.size() >= count || std::chrono::steady_clock::now() > deadline) return got;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }

 private:
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  bool accepts_connections() const {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port_));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool ok = ::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) == 0;
    ::close(fd);
    return ok;
  }

  void make_certificates(const std::string& ca, const std::string& name, const std::string& san) {
    shell("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj '/CN=Moat Test CA' "
          "-keyout " + path(ca + ".key") + " -out " + path(ca + ".pem"));
    shell("openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj '/CN=" + name + "' -keyout " +
          path(name + ".key") + " -out " + path(name + ".csr"));
    std::ofstream(path("ext.cnf")) << "subjectAltName=" << san << "\n";
    shell("openssl x509 -req -days 2 -in " + path(name + ".csr") + " -CA " + path(ca + ".pem") + " -CAkey " +
          path(ca + ".key") + " -CAcreateserial -extfile " + path("ext.cnf") + " -out " + path(name + ".pem"));
  }

  void write_config() const {
    std::ofstream conf(path("rsyslog.conf"), std::ios::trunc);
    conf << "global(workDirectory=\"" << dir_.str() << "\"";
    if (mode_ == Mode::kTls) {
      conf << " DefaultNetstreamDriverCAFile=\"" << path("ca.pem") << "\" DefaultNetstreamDriverCertFile=\""
           << path("collector.pem") << "\" DefaultNetstreamDriverKeyFile=\"" << path("collector.key") << "\"";
    }
    conf << ")\n"
         << "module(load=\"imtcp\")\n"
         << "input(type=\"imtcp\" address=\"127.0.0.1\" port=\"" << port_ << "\" listenPortFileName=\""
         << path("port") << "\"";
    if (mode_ == Mode::kTls) {
      conf << " streamDriver.name=\"ossl\" streamDriver.mode=\"1\" streamDriver.authMode=\"anon\"";
    }
    conf << ")\n"
         << "template(name=\"raw\" type=\"string\" string=\"%rawmsg%\\n\")\n"
         << "action(type=\"omfile\" file=\"" << path("received.log") << "\" template=\"raw\")\n";
  }

  Mode mode_;
  moat::testing_support::TempDir dir_{"moat-rsyslog"};
  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace moat::testing_rsyslog
