#pragma once
// Test support for the guarded session: a real dockerd shared by every test
// of the binary (started on first use, stopped by ProxyEngineEnvironment),
// GuardedSessions served in-process on their own socket, the real docker
// CLI pointed at them, and raw-socket clients for what the CLI never sends.
// The engine needs root, as in CI.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <gtest/gtest.h>

#include "moatd/proxy/guarded_session.h"

namespace moat::moatd::proxy::test_support {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
  bool timed_out = false;
};

inline std::string quote(const std::string& word) {
  std::string out = "'";
  for (char c : word) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

// Runs `sh -c command`, capturing stdout and stderr; kills the whole process
// group when the timeout passes.
inline CommandResult run_command(const std::string& command, std::chrono::milliseconds timeout = 120s) {
  CommandResult result;
  int out_pipe[2];
  int err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0) {
    result.err = "pipe failed";
    return result;
  }
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::setpgid(0, 0);
    ::dup2(out_pipe[1], 1);
    ::dup2(err_pipe[1], 2);
    const int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, 0);
    ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  int open_pipes = 2;
  while (open_pipes > 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      result.timed_out = true;
      ::kill(-pid, SIGKILL);
      break;
    }
    if (::poll(fds, 2, static_cast<int>(left.count())) <= 0) continue;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buf[4096];
      const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n <= 0) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open_pipes;
        continue;
      }
      (i == 0 ? result.out : result.err).append(buf, static_cast<std::size_t>(n));
    }
  }
  for (auto& f : fds) {
    if (f.fd >= 0) ::close(f.fd);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A short directory under /tmp: unix socket paths are limited to 107 bytes
// and containerd's sockets live below the engine's exec root.
inline std::string make_temp_dir(const std::string& prefix) {
  std::string pattern = "/tmp/" + prefix + "XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  return pattern;
}

// ------------------------------------------------------------------ engine

class Engine {
 public:
  // The engine of this test binary, started (with the test image imported)
  // on first use.
  static Engine& shared() {
    std::unique_ptr<Engine>& e = instance();
    if (!e) e.reset(new Engine());
    return *e;
  }

  bool ready() const { return ready_; }
  const std::string& failure() const { return failure_; }
  const std::string& socket() const { return socket_; }
  const std::string& dir() const { return dir_; }
  std::string log() const { return read_file(dir_ + "/dockerd.log"); }

  // The docker CLI straight at the engine (to set up and check effects).
  CommandResult docker(const std::string& args, std::chrono::milliseconds timeout = 120s) const {
    return run_command("DOCKER_HOST=unix://" + socket_ + " DOCKER_CONFIG=" + dir_ + "/cli docker " + args, timeout);
  }

  static void stop_if_started() { instance().reset(); }

  ~Engine() { stop(); }

 private:
  static std::unique_ptr<Engine>& instance() {
    static std::unique_ptr<Engine> engine;
    return engine;
  }

  Engine() {
    try {
      start();
    } catch (const std::exception& e) {
      failure_ = e.what();
      failure_ += "\n--- dockerd log ---\n" + log();
    }
  }

  void start() {
    dir_ = make_temp_dir("mpx-");
    socket_ = dir_ + "/engine.sock";
    fs::create_directories(dir_ + "/data");
    fs::create_directories(dir_ + "/exec");
    fs::create_directories(dir_ + "/cli");
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      ::setpgid(0, 0);
      const int log = ::open((dir_ + "/dockerd.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
      const int devnull = ::open("/dev/null", O_RDONLY);
      if (log >= 0) {
        ::dup2(log, 1);
        ::dup2(log, 2);
      }
      if (devnull >= 0) ::dup2(devnull, 0);
      const std::string data = "--data-root=" + dir_ + "/data";
      const std::string exec = "--exec-root=" + dir_ + "/exec";
      const std::string host = "--host=unix://" + socket_;
      const std::string pidfile = "--pidfile=" + dir_ + "/dockerd.pid";
      ::execlp("dockerd", "dockerd", data.c_str(), exec.c_str(), host.c_str(), pidfile.c_str(), "--bridge=none",
               "--iptables=false", "--ip6tables=false", static_cast<char*>(nullptr));
      ::_exit(127);
    }
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (true) {
      if (docker("version --format '{{.Server.Version}}'", 10s).exit_code == 0) break;
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        throw std::runtime_error("dockerd exited while starting");
      }
      if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error("dockerd did not answer /_ping within 60 s");
      std::this_thread::sleep_for(100ms);
    }
    // busybox-static as t/busybox: a few applets are enough for the tests.
    const std::string rootfs = dir_ + "/rootfs";
    fs::create_directories(rootfs + "/bin");
    fs::create_directories(rootfs + "/tmp");
    fs::copy_file("/bin/busybox", rootfs + "/bin/busybox");
    for (const char* applet : {"sh", "echo", "cat", "sleep", "ls", "seq", "true", "wc", "head"}) {
      fs::create_symlink("busybox", rootfs + "/bin/" + applet);
    }
    const CommandResult imported =
        run_command("tar -C " + rootfs + " -c . | DOCKER_HOST=unix://" + socket_ + " DOCKER_CONFIG=" + dir_ +
                    "/cli docker import --change 'ENV PATH=/bin' - t/busybox");
    if (imported.exit_code != 0) throw std::runtime_error("docker import failed: " + imported.out + imported.err);
    ready_ = true;
  }

  void stop() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      bool exited = false;
      for (int i = 0; i < 300 && !exited; ++i) {
        int status = 0;
        exited = ::waitpid(pid_, &status, WNOHANG) == pid_;
        if (!exited) std::this_thread::sleep_for(100ms);
      }
      if (!exited) {
        ::kill(-pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
      }
      pid_ = -1;
    }
    if (dir_.empty()) return;
    // dockerd leaves its data root bind-mounted (and overlay mounts of
    // containers that were still running): unmount all below dir_, deepest
    // first.
    std::vector<std::string> mounts;
    std::ifstream info("/proc/self/mountinfo");
    for (std::string line; std::getline(info, line);) {
      std::istringstream fields(line);
      std::string id, parent, devno, root, point;
      fields >> id >> parent >> devno >> root >> point;
      if (point.rfind(dir_ + "/", 0) == 0) mounts.push_back(point);
    }
    std::sort(mounts.begin(), mounts.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
    for (const auto& m : mounts) ::umount2(m.c_str(), MNT_DETACH);
    std::error_code ec;
    fs::remove_all(dir_, ec);
    dir_.clear();
    ready_ = false;
  }

  std::string dir_;
  std::string socket_;
  pid_t pid_ = -1;
  bool ready_ = false;
  std::string failure_;
};

// Stops the shared engine at the end of the test binary (if a test started it).
class ProxyEngineEnvironment : public ::testing::Environment {
 public:
  void TearDown() override;
};

// ----------------------------------------------------------------- sessions

// GuardedSessions on their own unix socket, served by an io_context on a
// background thread, the way moatd's accept loop runs them.
class SessionServer {
 public:
  explicit SessionServer(SessionOptions options, std::string dir = "")
      : dir_(dir.empty() ? make_temp_dir("mps-") : std::move(dir)),
        options_(std::make_shared<const SessionOptions>(std::move(options))),
        acceptor_(io_) {
    socket_ = dir_ + "/moat.sock";
    acceptor_.open();
    acceptor_.bind(boost::asio::local::stream_protocol::endpoint(socket_));
    acceptor_.listen();
    accept();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~SessionServer() {
    boost::asio::post(io_, [this] {
      boost::system::error_code ignored;
      acceptor_.close(ignored);
      io_.stop();
    });
    thread_.join();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  SessionServer(const SessionServer&) = delete;
  SessionServer& operator=(const SessionServer&) = delete;

  const std::string& socket() const { return socket_; }
  const std::string& dir() const { return dir_; }
  // Runs `task` on the sessions' thread.
  void post(std::function<void()> task) { boost::asio::post(io_, std::move(task)); }

  // The real docker CLI through the guarded session.
  CommandResult docker(const std::string& args, std::chrono::milliseconds timeout = 120s) const {
    return shell("docker " + args, timeout);
  }
  // Any shell command with DOCKER_HOST pointing at the guarded session.
  CommandResult shell(const std::string& command, std::chrono::milliseconds timeout = 120s) const {
    fs::create_directories(dir_ + "/cli");
    return run_command("export DOCKER_HOST=unix://" + socket_ + " DOCKER_CONFIG=" + dir_ + "/cli; " + command,
                       timeout);
  }

 private:
  void accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, boost::asio::local::stream_protocol::socket s) {
      if (ec) return;
      start_guarded_session(std::move(s), options_);
      accept();
    });
  }

  std::string dir_;
  std::string socket_;
  std::shared_ptr<const SessionOptions> options_;
  boost::asio::io_context io_;
  boost::asio::local::stream_protocol::acceptor acceptor_;
  std::thread thread_;
};

// ------------------------------------------------------------- raw clients

class RawClient {
 public:
  explicit RawClient(const std::string& path) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    path.copy(addr.sun_path, sizeof addr.sun_path - 1);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      throw std::runtime_error("cannot connect to " + path);
    }
  }
  ~RawClient() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  // False when the peer refused the bytes (closed).
  bool send(const std::string& bytes) {
    std::size_t off = 0;
    while (off < bytes.size()) {
      const ssize_t n = ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return false;
      off += static_cast<std::size_t>(n);
    }
    return true;
  }
  void shutdown_write() { ::shutdown(fd_, SHUT_WR); }

  // Reads until `done(received)` says so, the peer closes, or the timeout.
  template <class Done>
  std::string read_until(Done done, std::chrono::milliseconds timeout = 20s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done(buffer_)) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char buf[65536];
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        eof_ = true;
        break;
      }
      buffer_.append(buf, static_cast<std::size_t>(n));
    }
    return buffer_;
  }
  // One complete response with a Content-Length (or no) body; removed from
  // the buffer.
  std::string read_response(std::chrono::milliseconds timeout = 20s) {
    read_until([](const std::string& b) { return response_length(b) != std::string::npos; }, timeout);
    const std::size_t n = response_length(buffer_);
    if (n == std::string::npos) return std::exchange(buffer_, {});
    std::string out = buffer_.substr(0, n);
    buffer_.erase(0, n);
    return out;
  }
  // True when the peer closed the connection (after everything it sent).
  bool closed_by_peer(std::chrono::milliseconds timeout = 20s) {
    read_until([](const std::string&) { return false; }, timeout);
    return eof_;
  }
  const std::string& pending() const { return buffer_; }

  static std::size_t response_length(const std::string& b) {
    const std::size_t end = b.find("\r\n\r\n");
    if (end == std::string::npos) return std::string::npos;
    std::size_t length = 0;
    std::string head = b.substr(0, end);
    for (auto& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const std::size_t cl = head.find("\r\ncontent-length:");
    if (cl != std::string::npos) length = std::stoul(head.substr(cl + 17));
    if (b.size() < end + 4 + length) return std::string::npos;
    return end + 4 + length;
  }

 private:
  int fd_ = -1;
  std::string buffer_;
  bool eof_ = false;
};

// The body of a response, after the head.
inline std::string body_of(const std::string& response) {
  const std::size_t end = response.find("\r\n\r\n");
  return end == std::string::npos ? "" : response.substr(end + 4);
}
inline std::string status_line(const std::string& response) { return response.substr(0, response.find("\r\n")); }

// Polls until pred() holds or the timeout passes.
template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds timeout = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return pred();
}

}  // namespace moat::moatd::proxy::test_support
