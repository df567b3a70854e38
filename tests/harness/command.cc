#include "harness/command.h"

#include <boost/asio/io_context.hpp>
#include <boost/process.hpp>

#include <future>

namespace moat::testing {

namespace bp = boost::process;

CommandResult run(const std::string& command, std::chrono::seconds timeout) {
  CommandResult result;
  boost::asio::io_context io;
  std::future<std::string> out;
  std::future<std::string> err;
  bp::child child("/bin/sh", bp::args({"-c", command}), bp::std_in < bp::null, bp::std_out > out,
                  bp::std_err > err, io);
  // The pipes are read on another thread so a chatty command cannot block.
  std::thread reader([&io] { io.run(); });
  if (!child.wait_for(timeout)) {
    result.timed_out = true;
    child.terminate();
  }
  reader.join();
  child.wait();
  result.exit_code = child.exit_code();
  result.out = out.get();
  result.err = err.get();
  return result;
}

std::string quote(const std::string& word) {
  std::string out = "'";
  for (const char c : word) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

}  // namespace moat::testing
