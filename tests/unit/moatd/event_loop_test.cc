#include "moatd/event_loop.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

namespace moat::moatd {
namespace {

TEST(RunEventLoop, AHandlerThatThrowsIsReportedAndTheOthersStillRun) {
  boost::asio::io_context io;
  std::vector<std::string> failures;
  int ran = 0;
  boost::asio::post(io, [] { throw std::runtime_error("first"); });
  boost::asio::post(io, [&ran] { ++ran; });
  boost::asio::post(io, [] { throw 42; });
  boost::asio::steady_timer later(io, std::chrono::milliseconds(10));
  later.async_wait([&ran](boost::system::error_code) { ++ran; });
  run_event_loop(io, [&failures](const std::string& what) { failures.push_back(what); });
  EXPECT_EQ(ran, 2);
  EXPECT_EQ(failures, (std::vector<std::string>{"first", "an exception that is not a std::exception"}));
}

TEST(RunEventLoop, ReturnsWhenStoppedEvenByAHandlerThatThenThrows) {
  boost::asio::io_context io;
  int failures = 0;
  bool ran_after_stop = false;
  boost::asio::post(io, [&io] {
    io.stop();
    throw std::runtime_error("stopping");
  });
  boost::asio::post(io, [&ran_after_stop] { ran_after_stop = true; });
  run_event_loop(io, [&failures](const std::string&) { ++failures; });
  EXPECT_EQ(failures, 1);
  EXPECT_FALSE(ran_after_stop);
}

}  // namespace
}  // namespace moat::moatd
