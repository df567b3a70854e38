// moat-api-load: closed-loop Docker API load over keep-alive unix socket
// connections; prints operations/s, p50/p99 latency and errors. Exit status:
// 0 clean run, 1 the run had errors, 2 it could not start.

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "api_load/latency_summary.h"
#include "api_load/load_run.h"
#include "api_load/scenario.h"
#include "api_load/switched_figures.h"

namespace {

using moat::bench::api_load::LatencySummary;
using moat::bench::api_load::LoadOptions;
using moat::bench::api_load::LoadResult;
using moat::bench::api_load::SwitchedFigures;

// CPU seconds this process used, so a report can show the generator was not
// the bottleneck.
double own_cpu_seconds() {
  rusage usage{};
  if (::getrusage(RUSAGE_SELF, &usage) != 0) return 0;
  const auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

std::chrono::milliseconds to_ms(double seconds) {
  return std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000.0));
}

void print_text(const LoadOptions& options, const LoadResult& result,
                const LatencySummary& latency, double rate) {
  std::printf("moat-api-load: %s over %u connection(s) to %s, %.1f s after %.1f s warm-up\n",
              std::string(scenario_name(options.scenario)).c_str(), options.connections,
              options.socket_path.c_str(), result.measured_seconds,
              std::chrono::duration<double>(options.warmup).count());
  std::printf("  operations  %llu (%llu requests)\n",
              static_cast<unsigned long long>(result.operations),
              static_cast<unsigned long long>(result.requests));
  std::printf("  throughput  %.1f operations/s\n", rate);
  std::printf("  latency     p50 %u us, p99 %u us, max %u us\n", latency.p50_us, latency.p99_us,
              latency.max_us);
  std::printf("  errors      %llu\n", static_cast<unsigned long long>(result.errors));
  std::printf("  own CPU     %.2f s\n", own_cpu_seconds());
  if (result.server_cpu_seconds >= 0 && result.requests > 0) {
    std::printf("  server CPU  %.1f us per request\n",
                result.server_cpu_seconds * 1e6 / static_cast<double>(result.requests));
    if (!options.first_mode_thread.empty() && result.slices.empty()) {
      std::printf("  of which     %.2f us per request in thread %s\n", result.first_mode_thread_us_per_request,
                  options.first_mode_thread.c_str());
    }
  }
}

void print_json(const LoadOptions& options, const LoadResult& result,
                const LatencySummary& latency, double rate) {
  // Insertion order, error samples last: the bench scripts read the numbers with grep.
  nlohmann::ordered_json out = {
      {"scenario", scenario_name(options.scenario)},
      {"socket", options.socket_path},
      {"connections", options.connections},
      {"duration_s", result.measured_seconds},
      {"warmup_s", std::chrono::duration<double>(options.warmup).count()},
      {"operations", result.operations},
      {"requests", result.requests},
      {"ops_per_s", rate},
      {"p50_us", latency.p50_us},
      {"p99_us", latency.p99_us},
      {"max_us", latency.max_us},
      {"errors", result.errors},
      {"generator_cpu_s", own_cpu_seconds()},
      {"server_cpu_us_per_request",
       result.server_cpu_seconds < 0 || result.requests == 0
           ? nlohmann::ordered_json()
           : nlohmann::ordered_json(result.server_cpu_seconds * 1e6 / static_cast<double>(result.requests))},
  };
  if (!result.slices.empty()) {
    const SwitchedFigures switched = moat::bench::api_load::switched_figures(result.slices);
    out["slices"] = result.slices.size();
    out["sigusr1_requests"] = switched.usr1_requests;
    out["sigusr2_requests"] = switched.usr2_requests;
    out["sigusr1_cpu_us_per_request"] = switched.usr1_us_per_request;
    out["sigusr2_cpu_us_per_request"] = switched.usr2_us_per_request;
    if (switched.added_percent_95) {
      out["added_percent_95_low"] = switched.added_percent_95->low;
      out["added_percent_95_high"] = switched.added_percent_95->high;
    }
    out["pair_added_percent"] = switched.pair_added_percent;
    if (!options.first_mode_thread.empty()) {
      out["first_mode_thread_cpu_us_per_request"] = result.first_mode_thread_us_per_request;
      out["first_mode_thread_charged_us_per_request"] = result.first_mode_thread_charged_us_per_request;
    }
    if (!options.engine_pids.empty()) {
      out["sigusr1_engine_cpu_us_per_request"] = switched.usr1_engine_us_per_request;
      out["sigusr2_engine_cpu_us_per_request"] = switched.usr2_engine_us_per_request;
    }
  } else if (!options.first_mode_thread.empty() && result.server_cpu_seconds >= 0) {
    out["first_mode_thread_cpu_us_per_request"] = result.first_mode_thread_us_per_request;
  }
  out["error_samples"] = result.error_samples;
  std::cout << out.dump() << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Closed-loop Docker API load over keep-alive unix socket connections"};
  LoadOptions options;
  std::string scenario;
  double duration = 10.0;
  double warmup = 1.0;
  bool json = false;
  app.add_option("--socket", options.socket_path, "Docker API unix socket")->required();
  app.add_option("--connections", options.connections, "Keep-alive connections, each closed-loop")
      ->check(CLI::Range(1U, 1024U))
      ->capture_default_str();
  app.add_option("--duration", duration, "Measured seconds")
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();
  app.add_option("--warmup", warmup, "Seconds of load before measuring")
      ->check(CLI::Range(0.0, 600.0))
      ->capture_default_str();
  app.add_option("--scenario", scenario,
                 "ping | containers-json | create-remove | refused-create (a guard must answer 403)")
      ->required()
      ->check(CLI::IsMember({"ping", "containers-json", "create-remove", "refused-create"}));
  app.add_option("--image", options.image, "Image for create-remove and refused-create")
      ->capture_default_str();
  app.add_option("--server-pid", options.server_pid,
                 "Report the CPU time of this process (the server under load) per measured request");
  app.add_option("--engine-pid", options.engine_pids,
                 "With --switch-every: also report the CPU of these processes (the engine behind the server) "
                 "per request in each mode; repeatable");
  double switch_every = 0;
  app.add_option("--switch-every", switch_every,
                 "With --server-pid: switch the server between two modes (SIGUSR1, SIGUSR2) every this many "
                 "seconds through the measured window and report its CPU per request in each (--json)")
      ->check(CLI::Range(0.01, 3600.0));
  app.add_flag("--same-mode", options.same_mode,
               "With --switch-every: send SIGUSR1 at every switch, so both kinds of slice run the same mode "
               "(what the figures then differ by is the method's own bias and noise)");
  auto* first_mode_thread = app.add_option("--first-mode-thread", options.first_mode_thread,
                 "With --switch-every: a thread of the server's (its name) whose CPU is all the first mode's "
                 "(SIGUSR1), whichever slice it falls in; it is shared over those slices by their requests. "
                 "Without --switch-every: its CPU per request in the measured window is reported apart");
  double first_mode_thread_cost = -1;
  app.add_option("--first-mode-thread-cost", first_mode_thread_cost,
                 "With --switch-every and --first-mode-thread: charge each request of the first mode's slices "
                 "this many microseconds of that thread (measured by a run in the first mode only) instead of "
                 "sharing its CPU of this run")
      ->check(CLI::Range(0.0, 1e6))
      ->needs(first_mode_thread);
  app.add_flag("--json", json, "Print one JSON object instead of text");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  options.scenario = *moat::bench::api_load::scenario_from_name(scenario);
  options.duration = to_ms(duration);
  options.warmup = to_ms(warmup);
  options.switch_every = to_ms(switch_every);
  if (first_mode_thread_cost >= 0) options.first_mode_thread_cost_us = first_mode_thread_cost;

  auto result = moat::bench::api_load::run_load(options);
  if (!result) {
    std::cerr << "moat-api-load: " << result.error().message << "\n";
    return 2;
  }
  const auto latency = moat::bench::api_load::summarize(result->latencies_us);
  const double rate = static_cast<double>(result->operations) / result->measured_seconds;
  if (json) {
    print_json(options, *result, latency, rate);
  } else {
    print_text(options, *result, latency, rate);
  }
  for (const auto& sample : result->error_samples) {
    std::cerr << "moat-api-load: error: " << sample << "\n";
  }
  if (result->errors > 0) {
    std::cerr << "moat-api-load: " << result->errors << " operation(s) failed\n";
    return 1;
  }
  if (result->operations == 0) {
    std::cerr << "moat-api-load: no operation completed in the measured window\n";
    return 1;
  }
  return 0;
}
