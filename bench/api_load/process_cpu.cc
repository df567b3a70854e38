#include "api_load/process_cpu.h"

#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>

#include "core/sys/read_file.h"

namespace moat::bench::api_load {
namespace {

// glibc has no wrapper for perf_event_open.
int open_task_clock(pid_t tid) {
  perf_event_attr attr{};
  attr.size = sizeof attr;
  attr.type = PERF_TYPE_SOFTWARE;
  attr.config = PERF_COUNT_SW_TASK_CLOCK;
  return static_cast<int>(::syscall(SYS_perf_event_open, &attr, tid, -1, -1, PERF_FLAG_FD_CLOEXEC));
}

// Empty when it cannot be read (the thread ended meanwhile).
std::string thread_name(const std::filesystem::path& task) {
  auto comm = core::sys::read_file((task / "comm").string());
  if (!comm) return {};
  if (!comm->empty() && comm->back() == '\n') comm->pop_back();
  return *comm;
}

}  // namespace

std::optional<double> ProcessCpuClock::read_ns() {
  const std::filesystem::path tasks = "/proc/" + std::to_string(pid_) + "/task";
  std::error_code ec;
  for (const auto& task : std::filesystem::directory_iterator(tasks, ec)) {
    const pid_t tid = static_cast<pid_t>(std::stol(task.path().filename().string()));
    if (counters_.contains(tid)) continue;
    core::audit::UniqueFd counter(open_task_clock(tid));
    if (counter.valid()) {
      counters_.emplace(tid, Counter{std::move(counter), !set_aside_.empty() && thread_name(task.path()) == set_aside_});
    } else if (errno != ESRCH) {  // ESRCH: the thread ended meanwhile
      error_ = "perf_event_open(task-clock) for thread " + std::to_string(tid) + " of " + std::to_string(pid_) +
               ": " + std::strerror(errno);
      return std::nullopt;
    }
  }
  if (ec) {
    error_ = "reading " + tasks.string() + ": " + ec.message();
    return std::nullopt;
  }
  double total = 0;
  double set_aside = 0;
  for (const auto& [tid, counter] : counters_) {
    std::uint64_t ns = 0;
    if (::read(counter.fd.get(), &ns, sizeof ns) != static_cast<ssize_t>(sizeof ns)) {
      error_ = "reading the task-clock counter of thread " + std::to_string(tid) + ": " + std::strerror(errno);
      return std::nullopt;
    }
    total += static_cast<double>(ns);
    if (counter.set_aside) set_aside += static_cast<double>(ns);
  }
  set_aside_ns_ = set_aside;
  return total;
}

}  // namespace moat::bench::api_load
