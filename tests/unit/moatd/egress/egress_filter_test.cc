#include "moatd/egress/egress_filter.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

namespace moat::moatd::egress {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// A filter on 127.0.0.1 with its own event loop thread, real sockets only.
class RunningFilter {
 public:
  explicit RunningFilter(EgressJudge judge) : acceptor_(io_, tcp::endpoint(asio::ip::address_v4::loopback(), 0)) {
    auto options = std::make_shared<EgressOptions>();
    options->judge = std::move(judge);
    start_egress_filter(acceptor_, std::move(options));
    thread_ = std::thread([this] { io_.run(); });
  }
  ~RunningFilter() {
    asio::post(io_, [this] { acceptor_.close(); });
    work_.reset();
    io_.stop();
    thread_.join();
  }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

 private:
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_{io_.get_executor()};
  tcp::acceptor acceptor_;
  std::thread thread_;
};

// A host that takes one connection, reads until `until` arrived, answers
// `reply` and closes; what it read comes back through received().
class OneShotHost {
 public:
  OneShotHost(std::string until, std::string reply)
      : acceptor_(io_, tcp::endpoint(asio::ip::address_v4::loopback(), 0)) {
    received_ = std::async(std::launch::async, [this, until = std::move(until), reply = std::move(reply)] {
      tcp::socket socket(io_);
      acceptor_.accept(socket);
      accepted_ = true;
      asio::streambuf buffer;
      boost::system::error_code ec;
      asio::read_until(socket, buffer, until, ec);
      std::string text(asio::buffers_begin(buffer.data()), asio::buffers_end(buffer.data()));
      asio::write(socket, asio::buffer(reply), ec);
      socket.shutdown(tcp::socket::shutdown_both, ec);
      return text;
    });
  }
  ~OneShotHost() {
    if (!accepted_) {
      // Closing does not wake a blocked accept(2); a connection does.
      boost::system::error_code ignored;
      tcp::socket wake(io_);
      wake.connect(acceptor_.local_endpoint(), ignored);
    }
    if (received_.valid()) received_.wait();
  }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  std::string received() { return received_.get(); }
  bool accepted() const { return accepted_; }

 private:
  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::atomic<bool> accepted_{false};
  std::future<std::string> received_;
};

// Sends `request` to the filter, then `after` once the filter's answer
// head arrived, and returns everything read until the filter closes.
std::string exchange(std::uint16_t filter_port, const std::string& request, const std::string& after = "") {
  asio::io_context io;
  tcp::socket socket(io);
  socket.connect(tcp::endpoint(asio::ip::address_v4::loopback(), filter_port));
  asio::write(socket, asio::buffer(request));
  asio::streambuf buffer;
  boost::system::error_code ec;
  asio::read_until(socket, buffer, "\r\n\r\n", ec);
  if (!after.empty()) asio::write(socket, asio::buffer(after), ec);
  asio::read(socket, buffer, asio::transfer_all(), ec);
  return {asio::buffers_begin(buffer.data()), asio::buffers_end(buffer.data())};
}

EgressJudge allow_only(std::uint16_t port, std::vector<Target>* seen = nullptr,
                       std::optional<Hop> via = std::nullopt) {
  return [port, seen, via](const Target& target, const std::string& peer, std::function<void(EgressVerdict)> act) {
    if (seen != nullptr) seen->push_back(target);
    EXPECT_TRUE(peer.starts_with("127.0.0.1:")) << peer;
    if (target.host == "127.0.0.1" && target.port == port) return act(EgressVerdict{true, "", via});
    act(EgressVerdict{false, "not on the list: " + target.authority(), std::nullopt});
  };
}

TEST(EgressFilter, TunnelsToAnAllowedHost) {
  OneShotHost host("ping", "pong");
  std::vector<Target> seen;
  RunningFilter filter(allow_only(host.port(), &seen));
  const std::string authority = "127.0.0.1:" + std::to_string(host.port());
  const std::string answer = exchange(filter.port(), "CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority +
                                                         "\r\n\r\n", "ping");
  EXPECT_EQ(answer, "HTTP/1.1 200 Connection established\r\n\r\npong");
  EXPECT_EQ(host.received(), "ping");
  ASSERT_EQ(seen.size(), 1U);
  EXPECT_TRUE(seen[0].tunnel);
  EXPECT_EQ(seen[0].authority(), authority);
}

TEST(EgressFilter, ARefusalCarriesItsReasonAndNeverConnects) {
  OneShotHost host("x", "");
  RunningFilter filter(allow_only(1));
  const std::string authority = "127.0.0.1:" + std::to_string(host.port());
  const std::string answer = exchange(filter.port(), "CONNECT " + authority + " HTTP/1.1\r\n\r\n");
  const std::string reason = "not on the list: " + authority + "\n";
  EXPECT_EQ(answer, "HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: " +
                        std::to_string(reason.size()) + "\r\nConnection: close\r\n\r\n" + reason);
  EXPECT_FALSE(host.accepted());
}

TEST(EgressFilter, APlainHttpRequestGoesOutInOriginFormWithoutProxyHeaders) {
  OneShotHost host("\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
  RunningFilter filter(allow_only(host.port()));
  const std::string authority = "127.0.0.1:" + std::to_string(host.port());
  const std::string answer =
      exchange(filter.port(), "GET http://" + authority + "/v2/x?y=1 HTTP/1.1\r\nHost: " + authority +
                                  "\r\nProxy-Authorization: Basic c2VjcmV0\r\nProxy-Connection: keep-alive\r\n"
                                  "User-Agent: docker\r\n\r\n");
  EXPECT_EQ(answer, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
  EXPECT_EQ(host.received(),
            "GET /v2/x?y=1 HTTP/1.1\r\nHost: " + authority + "\r\nUser-Agent: docker\r\nConnection: close\r\n\r\n");
}

TEST(EgressFilter, ChainsThroughTheAdminsProxy) {
  OneShotHost host("ping", "pong");
  std::vector<Target> seen_by_corporate;
  RunningFilter corporate(allow_only(host.port(), &seen_by_corporate));
  RunningFilter filter(allow_only(host.port(), nullptr, Hop{"127.0.0.1", corporate.port()}));
  const std::string authority = "127.0.0.1:" + std::to_string(host.port());
  EXPECT_EQ(exchange(filter.port(), "CONNECT " + authority + " HTTP/1.1\r\n\r\n", "ping"),
            "HTTP/1.1 200 Connection established\r\n\r\npong");
  EXPECT_EQ(host.received(), "ping");
  ASSERT_EQ(seen_by_corporate.size(), 1U);
  EXPECT_EQ(seen_by_corporate[0].authority(), authority);
}

TEST(EgressFilter, WhatIsNotAProxyRequestIsRefused) {
  RunningFilter filter(allow_only(1));
  EXPECT_TRUE(exchange(filter.port(), "CONNECT nohost HTTP/1.1\r\n\r\n").starts_with("HTTP/1.1 400 Bad Request\r\n"));
  EXPECT_TRUE(exchange(filter.port(), "GET /v2/ HTTP/1.1\r\nHost: x\r\n\r\n").starts_with("HTTP/1.1 400 "));
  EXPECT_TRUE(exchange(filter.port(), "GET https://x/ HTTP/1.1\r\n\r\n").starts_with("HTTP/1.1 400 "));
}

TEST(EgressTargets, ConnectTargetsNeedAPort) {
  auto t = parse_connect_target("registry.example:443");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->host, "registry.example");
  EXPECT_EQ(t->port, 443);
  EXPECT_TRUE(t->tunnel);
  t = parse_connect_target("[2001:db8::1]:5000");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->host, "2001:db8::1");
  EXPECT_EQ(t->authority(), "[2001:db8::1]:5000");
  for (const char* bad : {"registry.example", "registry.example:", "registry.example:0", "registry.example:65536",
                          "a b:443", ":443", "[::1]", "[x]:1", "host:44x", "user@host:443"}) {
    EXPECT_FALSE(parse_connect_target(bad)) << bad;
  }
}

TEST(EgressTargets, AbsoluteHttpUrls) {
  auto t = parse_absolute_http_target("HTTP://Files.Example/a/b?c=d#frag");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->target.host, "Files.Example");
  EXPECT_EQ(t->target.port, 80);
  EXPECT_FALSE(t->target.tunnel);
  EXPECT_EQ(t->origin_form, "/a/b?c=d");
  t = parse_absolute_http_target("http://198.18.1.2:5000");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->target.port, 5000);
  EXPECT_EQ(t->origin_form, "/");
  EXPECT_EQ(parse_absolute_http_target("http://h?q")->origin_form, "/?q");
  for (const char* bad : {"https://x/", "http://", "http://user:pw@x/", "http://x:99999/", "ftp://x/", "/relative"}) {
    EXPECT_FALSE(parse_absolute_http_target(bad)) << bad;
  }
}

}  // namespace
}  // namespace moat::moatd::egress
