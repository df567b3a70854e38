#pragma once
// CPU time another process has used, all its threads, user and system.

#include <optional>

#include <sys/types.h>

namespace moat::bench::api_load {

// Nanoseconds on the CPU so far, summed over /proc/<pid>/task/*/schedstat
// (nanosecond resolution, unlike the clock ticks of /proc/<pid>/stat).
// Empty when the process cannot be read.
std::optional<double> process_cpu_ns(pid_t pid);

}  // namespace moat::bench::api_load
