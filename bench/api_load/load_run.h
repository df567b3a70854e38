#pragma once
// Closed-loop load over keep-alive unix socket connections: each connection
// sends its next operation as soon as the previous one has been answered.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

#include "api_load/scenario.h"
#include "core/result/result.h"

namespace moat::bench::api_load {

struct LoadOptions {
  std::string socket_path;
  unsigned connections = 1;
  std::chrono::milliseconds warmup{1000};
  std::chrono::milliseconds duration{10000};
  Scenario scenario = Scenario::kPing;
  std::string image = "bench/busybox";
  // When set, the CPU time this process (the server under load) spends in
  // the measured window is reported: the cost of a request, not only the rate.
  pid_t server_pid = 0;
  // Other processes a request passes through (the engine behind a guard).
  // A switched run reports their CPU per slice beside the server's, so the
  // whole cost of serving a request is shown as well as the server's share.
  std::vector<pid_t> engine_pids;
  // When set (with server_pid), the server is switched between two modes
  // every this long through the measured window: SIGUSR1 at its start, then
  // SIGUSR2, SIGUSR1, ... (moatd-audit-switch: audit on, paused). Both modes
  // then see the same machine, within a fraction of a second of each other.
  std::chrono::milliseconds switch_every{0};
  // A calibration of the switched method: every switch sends SIGUSR1, so
  // both kinds of slice run the same mode, and what the figures then differ
  // by is the method's own bias and noise.
  bool same_mode = false;
  // A thread of the server's (its name) whose CPU is all the first mode's,
  // whichever slice it falls in: moatd-audit-switch's audit-log thread
  // writes, in a slice with audit paused, lines staged in the slice before.
  // A switched run takes its CPU out of every slice and shares it over the
  // SIGUSR1 slices (every slice with same_mode) by their requests. A run
  // that does not switch reports its CPU per request in the window apart.
  std::string first_mode_thread;
  // With first_mode_thread in a switched run: charge each SIGUSR1 request
  // this many microseconds of that thread (measured by a run that stays in
  // the first mode) instead of sharing the thread's CPU of the switched run.
  // Its work per second is mostly fixed (the audit-log thread signs and syncs
  // a checkpoint a second however many records it holds), and a switched
  // run gives it half the requests to share that over.
  std::optional<double> first_mode_thread_cost_us;
};

// One stretch of a switched run: the server's mode, the CPU it used and the
// requests completed meanwhile.
struct SwitchedSlice {
  int signal = 0;  // SIGUSR1 or SIGUSR2
  double server_cpu_seconds = 0;
  double engine_cpu_seconds = 0;  // all of LoadOptions::engine_pids together
  std::uint64_t requests = 0;
};

struct LoadResult {
  std::uint64_t operations = 0;  // started in the measured window and completed without error
  std::uint64_t requests = 0;    // HTTP requests those operations took
  std::uint64_t errors = 0;      // failed operations over the whole run, warm-up included
  std::vector<std::string> error_samples;  // the first few distinct failures, for the report
  std::vector<std::uint32_t> latencies_us;  // one per measured operation
  double measured_seconds = 0;
  double server_cpu_seconds = -1;  // in the measured window; -1: not measured
  std::vector<SwitchedSlice> slices;  // a switched run's, in order
  // LoadOptions::first_mode_thread's CPU: in a switched run, over all slices;
  // in one that does not switch, in the measured window.
  double first_mode_thread_cpu_seconds = 0;
  // That CPU over the requests of the first mode's slices (switched) or of
  // the window.
  double first_mode_thread_us_per_request = 0;
  // What the first mode's slices were charged for it a request: the measured
  // share above, or LoadOptions::first_mode_thread_cost_us when given.
  double first_mode_thread_charged_us_per_request = 0;
};

// Fails only when the connections cannot be opened; failures after that are
// counted in LoadResult::errors.
Result<LoadResult> run_load(const LoadOptions& options);

}  // namespace moat::bench::api_load
