#include "core/net/unix_http_client.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <fcntl.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <future>
#include <set>
#include <string>
#include <thread>

#include "support/temp_dir.h"

namespace moat::core::net {
namespace {

using namespace std::chrono_literals;

// A real server on a unix socket that takes one request, says when it has
// it whole, and answers only when told to (or never).
class HeldServer {
 public:
  explicit HeldServer(const std::string& path) {
    listener_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listener_, 4) != 0) {
      ADD_FAILURE() << "cannot listen on " << path << ": " << std::strerror(errno);
    }
    thread_ = std::thread([this] { serve(); });
  }
  ~HeldServer() {
    if (!answered_) answer_.set_value(false);
    thread_.join();
    ::close(listener_);
  }
  HeldServer(const HeldServer&) = delete;
  HeldServer& operator=(const HeldServer&) = delete;

  std::future<std::string> request() { return request_.get_future(); }
  void answer(const std::string& body) {
    body_ = body;
    answered_ = true;
    answer_.set_value(true);
  }

 private:
  void serve() {
    const int conn = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    std::string text;
    char buf[4096];
    while (conn >= 0) {
      const auto head_end = text.find("\r\n\r\n");
      const auto length_at = text.find("Content-Length: ");
      if (head_end != std::string::npos &&
          (length_at == std::string::npos ||
           text.size() >= head_end + 4 + std::stoul(text.substr(length_at + 16)))) {
        break;
      }
      const ssize_t n = ::read(conn, buf, sizeof buf);
      if (n <= 0) break;
      text.append(buf, static_cast<std::size_t>(n));
    }
    request_.set_value(text);
    if (answer_future_.get() && conn >= 0) {
      const std::string reply = "HTTP/1.1 201 Created\r\nContent-Length: " + std::to_string(body_.size()) +
                                "\r\nConnection: close\r\n\r\n" + body_;
      (void)!::write(conn, reply.data(), reply.size());
    }
    if (conn >= 0) ::close(conn);
  }

  int listener_ = -1;
  std::promise<std::string> request_;
  std::promise<bool> answer_;
  std::future<bool> answer_future_ = answer_.get_future();
  std::string body_;
  bool answered_ = false;
  std::thread thread_;
};

// The point of a pending request: it is at the server, whole, before the
// caller waits for anything.
TEST(PendingHttpRequest, IsAtTheServerWholeBeforeTheCallerWaits) {
  testing_support::TempDir dir("moat-http");
  HeldServer server(dir.str() + "/s.sock");
  auto got = server.request();
  auto pending = PendingHttpRequest::send(dir.str() + "/s.sock", "POST", "/audit/runtime-records", R"({"a":1})");
  ASSERT_EQ(got.wait_for(5s), std::future_status::ready);
  const std::string request = got.get();
  EXPECT_TRUE(request.starts_with("POST /audit/runtime-records HTTP/1.1\r\n")) << request;
  EXPECT_TRUE(request.ends_with("\r\n\r\n{\"a\":1}")) << request;
  server.answer("done");
  auto response = pending.response();
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->status, 201U);
  EXPECT_EQ(response->body, "done");
}

// moat-runc waits for the answer to a delete's record after runc's delete,
// however long that took: the deadline counts from response().
TEST(PendingHttpRequest, AnAnswerWaitingLongerThanTheTimeoutIsStillRead) {
  testing_support::TempDir dir("moat-http");
  HeldServer server(dir.str() + "/s.sock");
  auto got = server.request();
  auto pending = PendingHttpRequest::send(dir.str() + "/s.sock", "POST", "/audit/runtime-records", "{}", 100ms);
  ASSERT_EQ(got.wait_for(5s), std::future_status::ready);
  std::this_thread::sleep_for(300ms);  // the caller's own work
  std::jthread answering([&server] {
    std::this_thread::sleep_for(30ms);
    server.answer("late");
  });
  auto response = pending.response();
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->body, "late");
}

std::set<int> open_descriptors() {
  std::set<int> fds;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    fds.insert(std::stoi(entry.path().filename().string()));
  }
  return fds;
}

// moat-runc runs runc while a delete's record is pending: nothing the
// request opened, its connection to moatd least of all, may pass to runc.
TEST(PendingHttpRequest, NothingItOpensSurvivesAnExec) {
  testing_support::TempDir dir("moat-http");
  HeldServer server(dir.str() + "/s.sock");
  auto got = server.request();
  const auto before = open_descriptors();
  auto pending = PendingHttpRequest::send(dir.str() + "/s.sock", "POST", "/audit/runtime-records", "{}");
  ASSERT_EQ(got.wait_for(5s), std::future_status::ready);
  int sockets = 0;
  for (const int fd : open_descriptors()) {
    if (before.contains(fd)) continue;
    const int flags = ::fcntl(fd, F_GETFD);
    if (flags < 0) continue;  // the directory listing's own, closed since
    const auto target = std::filesystem::read_symlink("/proc/self/fd/" + std::to_string(fd)).string();
    if (target.starts_with("socket:")) ++sockets;
    EXPECT_TRUE(flags & FD_CLOEXEC) << "descriptor " << fd << " (" << target << ") is inherited across exec";
  }
  EXPECT_GE(sockets, 1) << "the request's connection was not found";
  server.answer("done");
  EXPECT_TRUE(pending.response());
}

TEST(PendingHttpRequest, AServerThatNeverAnswersFailsAtTheDeadline) {
  testing_support::TempDir dir("moat-http");
  HeldServer server(dir.str() + "/s.sock");
  const auto started = std::chrono::steady_clock::now();
  auto pending = PendingHttpRequest::send(dir.str() + "/s.sock", "GET", "/status", {}, 300ms);
  auto response = pending.response();
  ASSERT_FALSE(response);
  EXPECT_NE(response.error().message.find(dir.str() + "/s.sock"), std::string::npos) << response.error().message;
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
}

TEST(PendingHttpRequest, NoServerFailsWhenTheResponseIsAskedFor) {
  testing_support::TempDir dir("moat-http");
  auto pending = PendingHttpRequest::send(dir.str() + "/none.sock", "GET", "/status");
  auto response = pending.response();
  ASSERT_FALSE(response);
  EXPECT_NE(response.error().message.find("none.sock"), std::string::npos) << response.error().message;
  auto blocking = unix_http_request(dir.str() + "/none.sock", "GET", "/status");
  EXPECT_FALSE(blocking);
}

}  // namespace
}  // namespace moat::core::net
