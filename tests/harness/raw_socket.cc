#include "harness/raw_socket.h"

#include <grp.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <stdexcept>

#include <boost/asio/buffers_iterator.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

namespace moat::testing {
namespace {

namespace asio = boost::asio;
using Socket = asio::local::stream_protocol::socket;

// Effective ids of another user for the length of one connect(): the kernel
// records the peer's credentials then. glibc applies set*id to every thread.
class ConnectAs {
 public:
  explicit ConnectAs(const std::string& user) {
    if (user.empty()) return;
    const passwd* pw = ::getpwnam(user.c_str());
    const group* docker = ::getgrnam("docker");
    if (pw == nullptr || docker == nullptr) throw std::runtime_error("no user " + user + " or group docker");
    const gid_t groups[] = {docker->gr_gid};
    if (::setgroups(1, groups) != 0 || ::setegid(pw->pw_gid) != 0 || ::seteuid(pw->pw_uid) != 0) {
      restore();
      throw std::runtime_error("cannot take the identity of " + user);
    }
    switched_ = true;
  }
  ~ConnectAs() {
    if (switched_) restore();
  }
  ConnectAs(const ConnectAs&) = delete;
  ConnectAs& operator=(const ConnectAs&) = delete;

 private:
  static void restore() {
    if (::seteuid(0) != 0 || ::setegid(0) != 0 || ::setgroups(0, nullptr) != 0) std::abort();
  }
  bool switched_ = false;
};

}  // namespace

std::string raw_exchange(const std::string& socket_path, const std::string& bytes, const std::string& as_user,
                         std::chrono::milliseconds timeout) {
  asio::io_context io;
  Socket socket(io);
  boost::system::error_code ec;
  {
    ConnectAs identity(as_user);
    socket.connect(asio::local::stream_protocol::endpoint(socket_path), ec);
  }
  if (ec) return "connect failed: " + ec.message();
  asio::streambuf reply;
  asio::steady_timer timer(io, timeout);
  asio::async_write(socket, asio::buffer(bytes), [&](boost::system::error_code write_ec, std::size_t) {
    // A server that refuses early may close before every byte is written;
    // read what it answered all the same.
    if (!write_ec) socket.shutdown(Socket::shutdown_send, write_ec);
    asio::async_read(socket, reply, asio::transfer_all(), [&](boost::system::error_code, std::size_t) {
      timer.cancel();
    });
  });
  timer.async_wait([&](boost::system::error_code timer_ec) {
    if (!timer_ec) socket.close();
  });
  io.run();
  return {asio::buffers_begin(reply.data()), asio::buffers_end(reply.data())};
}

std::vector<int> open_connections(const std::string& socket_path, std::size_t count, const std::string& as_user) {
  std::vector<int> fds;
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  socket_path.copy(address.sun_path, sizeof address.sun_path - 1);
  ConnectAs identity(as_user);
  for (std::size_t i = 0; i < count; ++i) {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) break;
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
      ::close(fd);
      break;
    }
    fds.push_back(fd);
  }
  return fds;
}

int http_status(const std::string& reply) {
  if (!reply.starts_with("HTTP/1.") || reply.size() < 12) return 0;
  return std::stoi(reply.substr(9, 3));
}

std::string http_body(const std::string& reply) {
  const auto end = reply.find("\r\n\r\n");
  return end == std::string::npos ? std::string() : reply.substr(end + 4);
}

}  // namespace moat::testing
