// A load check to run by hand, not part of the suite (disabled):
//   MOAT_PROXY_LOAD_N=20000 moat_unit_tests --gtest_also_run_disabled_tests
//     --gtest_filter='GuardedSessionLoad.*'
// Times N keep-alive GET /_ping on one connection, and on 8 connections at
// once, straight to dockerd and through a GuardedSession; prints the ratio.

#include <cstdio>
#include <cstdlib>
#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "proxy_test_support.h"
#include "test_policy.h"

namespace moat::moatd::proxy::test_support {
namespace {

double seconds_for_pings(const std::string& socket, int connections, int per_connection) {
  const std::string ping = "GET /_ping HTTP/1.1\r\nHost: docker\r\n\r\n";
  const auto started = std::chrono::steady_clock::now();
  std::vector<std::thread> clients;
  std::atomic<int> failures{0};
  for (int c = 0; c < connections; ++c) {
    clients.emplace_back([&] {
      RawClient client(socket);
      for (int i = 0; i < per_connection; ++i) {
        if (!client.send(ping) || body_of(client.read_response()) != "OK") ++failures;
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(failures.load(), 0);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
}

TEST(GuardedSessionLoad, DISABLED_PingThroughTheSessionVersusDirect) {
  Engine& engine = Engine::shared();
  ASSERT_TRUE(engine.ready()) << engine.failure();
  const char* env = std::getenv("MOAT_PROXY_LOAD_N");
  const int n = env != nullptr ? std::atoi(env) : 10000;
  SessionServer server(test_options(engine.socket(), std::make_shared<JudgeLog>()));
  seconds_for_pings(engine.socket(), 1, 200);  // warm up both paths
  seconds_for_pings(server.socket(), 1, 200);
  for (const int connections : {1, 8}) {
    const double direct = seconds_for_pings(engine.socket(), connections, n / connections);
    const double guarded = seconds_for_pings(server.socket(), connections, n / connections);
    std::printf("%d x GET /_ping on %d keep-alive connection(s): direct %.3f s (%.0f/s), guarded %.3f s (%.0f/s), "
                "ratio %.2f\n",
                n, connections, direct, n / direct, guarded, n / guarded, guarded / direct);
  }
}

}  // namespace
}  // namespace moat::moatd::proxy::test_support
