#pragma once
// Starting and stopping the stack's long-running processes.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result/result.h"

namespace moat::core::sys {

struct SpawnOptions {
  std::vector<std::string> argv;                  // argv[0] is an absolute path
  std::map<std::string, std::string> environment; // the whole environment of the child
  std::string log_file;                           // stdout and stderr, appended
};

// Starts a daemon in its own session, detached from the caller's terminal
// and descriptors. Fails if the program could not be executed.
Result<pid_t> spawn_detached(const SpawnOptions& options);

// True if pid is a live (not zombie) process.
bool process_alive(pid_t pid);

// When pid started, in clock ticks after boot (field 22 of /proc/<pid>/stat):
// with the pid, it names one process even after the pid is reused.
Result<std::uint64_t> process_start_time(pid_t pid);

// Reads a pid file; nothing if it is missing or does not hold a pid.
std::optional<pid_t> read_pidfile(const std::string& path);

// SIGTERM, then SIGKILL after `grace`; returns once the process is gone.
void terminate(pid_t pid, std::chrono::milliseconds grace);

// Live processes whose command line mentions `needle` (e.g. a stack's root):
// how `down` finds containerd and shims the engine left behind.
std::vector<pid_t> processes_mentioning(const std::string& needle);

}  // namespace moat::core::sys
