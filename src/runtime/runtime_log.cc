#include "runtime/runtime_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>

#include <nlohmann/json.hpp>

namespace moat::runtime {
namespace {

std::string now_rfc3339() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

void write_line(int fd, const std::string& line) {
  std::size_t done = 0;
  while (done < line.size()) {
    const ssize_t n = ::write(fd, line.data() + done, line.size() - done);
    if (n <= 0) {
      return;
    }
    done += static_cast<std::size_t>(n);
  }
}

}  // namespace

std::string format_log_line(std::string_view level, std::string_view message,
                            std::string_view format, std::string_view time) {
  if (format == "json") {
    return nlohmann::json{{"level", level}, {"msg", message}, {"time", time}}.dump(
        -1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  // logrus text format quotes msg like Go's %q.
  const std::string quoted = nlohmann::json(std::string(message))
                                 .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return "time=\"" + std::string(time) + "\" level=" + std::string(level) + " msg=" + quoted;
}

void log_message(const LogTarget& target, std::string_view level, std::string_view message) {
  const std::string time = now_rfc3339();
  if (!target.path.empty()) {
    const int fd =
        ::open(target.path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd >= 0) {
      write_line(fd, format_log_line(level, message, target.format, time) + "\n");
      ::close(fd);
    }
  }
  if (target.path.empty() || level == "error") {
    write_line(STDERR_FILENO, format_log_line(level, message, "text", time) + "\n");
  }
}

}  // namespace moat::runtime
