#include "moatd/proxy/socket_pump.h"

#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/connect_pair.hpp>
#include <gtest/gtest.h>

namespace moat::moatd::proxy {
namespace {

using Socket = boost::asio::local::stream_protocol::socket;

// client <-> proxy_in  ...pump...  proxy_out <-> engine
struct Wiring {
  boost::asio::io_context io;
  Socket client{io}, proxy_in{io}, proxy_out{io}, engine{io};
  Wiring() {
    boost::asio::local::connect_pair(client, proxy_in);
    boost::asio::local::connect_pair(proxy_out, engine);
  }
};

std::string pattern(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (i * 7 + i / 251) % 26);
  return s;
}

// Reads everything `engine` receives while the io_context runs.
struct Collector {
  Socket& socket;
  std::string got;
  char buf[8192];
  void start() {
    socket.async_read_some(boost::asio::buffer(buf), [this](boost::system::error_code ec, std::size_t n) {
      if (ec) return;
      got.append(buf, n);
      start();
    });
  }
};

class SocketPumpModes : public ::testing::TestWithParam<bool> {};

TEST_P(SocketPumpModes, MovesExactlyTheLimitAndLeavesTheRest) {
  Wiring w;
  const std::string body = pattern(3 * 1024 * 1024 + 17);
  const std::string next = "GET /_ping HTTP/1.1\r\n";
  std::thread writer([&] {
    const std::string all = body + next;
    std::size_t off = 0;
    while (off < all.size()) {
      const ssize_t n = ::send(w.client.native_handle(), all.data() + off, all.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return;
      off += static_cast<std::size_t>(n);
    }
  });
  SocketPump pump(w.proxy_in, w.proxy_out, 16 * 1024, GetParam());
  Collector collector{w.engine, {}, {}};
  collector.start();
  PumpResult result;
  bool finished = false;
  pump.start(body.size(), std::make_shared<int>(0), [&](const PumpResult& r) {
    result = r;
    finished = true;
    w.proxy_out.shutdown(Socket::shutdown_send);  // the collector reads to the end
  });
  if (GetParam()) {
    EXPECT_TRUE(pump.spliced());
  }
  w.io.run();
  writer.join();
  ASSERT_TRUE(finished);
  EXPECT_TRUE(result.ok());
  EXPECT_FALSE(result.source_ended);
  EXPECT_EQ(result.moved, body.size());
  EXPECT_EQ(collector.got.size(), body.size());
  EXPECT_TRUE(collector.got == body);
  // The bytes after the limit are still in the source, unread.
  std::string rest(next.size(), '\0');
  ASSERT_EQ(::recv(w.proxy_in.native_handle(), rest.data(), rest.size(), MSG_DONTWAIT),
            static_cast<ssize_t>(next.size()));
  EXPECT_EQ(rest, next);
}

TEST_P(SocketPumpModes, UntilEndOfStream) {
  Wiring w;
  const std::string data = pattern(200 * 1024);
  SocketPump pump(w.proxy_in, w.proxy_out, 4096, GetParam());
  Collector collector{w.engine, {}, {}};
  collector.start();
  PumpResult result;
  pump.start(std::nullopt, std::make_shared<int>(0), [&](const PumpResult& r) {
    result = r;
    w.proxy_out.shutdown(Socket::shutdown_send);
  });
  std::thread writer([&] {
    std::size_t off = 0;
    while (off < data.size()) {
      const ssize_t n = ::send(w.client.native_handle(), data.data() + off, std::min<std::size_t>(1000, data.size() - off), MSG_NOSIGNAL);
      if (n <= 0) return;
      off += static_cast<std::size_t>(n);
    }
    ::shutdown(w.client.native_handle(), SHUT_WR);
  });
  w.io.run();
  writer.join();
  EXPECT_TRUE(result.ok());
  EXPECT_TRUE(result.source_ended);
  EXPECT_EQ(result.moved, data.size());
  EXPECT_TRUE(collector.got == data);
}

TEST_P(SocketPumpModes, DestinationGoneIsAWriteErrorNotASignal) {
  Wiring w;
  w.engine.close();
  const std::string data = pattern(1000);
  ASSERT_EQ(::send(w.client.native_handle(), data.data(), data.size(), MSG_NOSIGNAL), 1000);
  SocketPump pump(w.proxy_in, w.proxy_out, 4096, GetParam());
  PumpResult result;
  pump.start(std::nullopt, std::make_shared<int>(0), [&](const PumpResult& r) { result = r; });
  w.io.run();
  EXPECT_FALSE(result.read_error);
  EXPECT_EQ(result.write_error, boost::system::error_code(EPIPE, boost::system::system_category()));
  EXPECT_EQ(result.moved, 0U);
}

TEST_P(SocketPumpModes, ZeroLimitCompletesWithoutReading) {
  Wiring w;
  ASSERT_EQ(::send(w.client.native_handle(), "x", 1, MSG_NOSIGNAL), 1);
  SocketPump pump(w.proxy_in, w.proxy_out, 4096, GetParam());
  bool finished = false;
  pump.start(std::uint64_t{0}, std::make_shared<int>(0), [&](const PumpResult& r) {
    finished = true;
    EXPECT_EQ(r.moved, 0U);
  });
  EXPECT_FALSE(finished);  // never inside start()
  w.io.run();
  EXPECT_TRUE(finished);
  char c = 0;
  EXPECT_EQ(::recv(w.proxy_in.native_handle(), &c, 1, MSG_DONTWAIT), 1);
}

std::string mode_name(const ::testing::TestParamInfo<bool>& mode) { return mode.param ? "Splice" : "Buffered"; }

INSTANTIATE_TEST_SUITE_P(SpliceAndBuffered, SocketPumpModes, ::testing::Values(true, false), mode_name);

}  // namespace
}  // namespace moat::moatd::proxy
