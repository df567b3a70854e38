#pragma once
// CPU time another process has used, all its threads, user and system.

#include <map>
#include <optional>
#include <string>
#include <utility>

#include <sys/types.h>

#include "core/audit/unique_fd.h"

namespace moat::bench::api_load {

// Nanoseconds on the CPU, from one software task-clock counter per thread
// (perf_event_open, which needs root or kernel.perf_event_paranoid <= 1).
// Reading a counter brings a thread that is running right then up to date.
// Neither /proc/<pid>/task/*/schedstat nor the process's CPU-time clock
// does here: for a thread that stays on another CPU both move only at the
// scheduler's tick (4 ms), so a moatd that never waited read up to 8 %
// more CPU in every other 50 ms slice, as 50 ms is 12.5 ticks.
class ProcessCpuClock {
 public:
  // Threads named set_aside (their comm) are also counted apart.
  explicit ProcessCpuClock(pid_t pid, std::string set_aside = {}) : pid_(pid), set_aside_(std::move(set_aside)) {}

  // The CPU the process's threads have used since each was first seen
  // (threads are looked for at every read; one started since the last read
  // counts from this one on). Empty when the process is gone or a counter
  // cannot be opened; error() then says why.
  std::optional<double> read_ns();
  // The part of the last read_ns() that the set-aside threads used.
  double set_aside_ns() const { return set_aside_ns_; }
  const std::string& error() const { return error_; }

 private:
  struct Counter {
    core::audit::UniqueFd fd;
    bool set_aside = false;
  };
  pid_t pid_;
  std::string set_aside_;
  // By thread id; a thread that has ended keeps its final count.
  std::map<pid_t, Counter> counters_;
  double set_aside_ns_ = 0;
  std::string error_;
};

}  // namespace moat::bench::api_load
