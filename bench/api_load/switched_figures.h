#pragma once
// A switched run's figures (moat-api-load --switch-every): the server's CPU
// per request in each mode (SIGUSR1, SIGUSR2) over all slices of that mode,
// how far single pairs of slices disagree, and how far the figure itself
// can be trusted.

#include <cstdint>
#include <optional>
#include <vector>

#include "api_load/load_run.h"

namespace moat::bench::api_load {

struct SwitchedFigures {
  double usr1_us_per_request = 0;
  double usr2_us_per_request = 0;
  // The engine's (--engine-pid) CPU per request in each mode.
  double usr1_engine_us_per_request = 0;
  double usr2_engine_us_per_request = 0;
  std::uint64_t usr1_requests = 0;
  std::uint64_t usr2_requests = 0;
  // Each pair's (a SIGUSR1 slice and the SIGUSR2 slice after it) added
  // percent, SIGUSR1 against SIGUSR2.
  std::vector<double> pair_added_percent;
  // The 95 % interval of the server's added percent (SIGUSR1's CPU per
  // request over SIGUSR2's, minus 1), from resampling the pairs: the
  // method's noise turned into a range the true figure lies in. Absent with
  // fewer than 10 pairs.
  struct Interval {
    double low = 0;
    double high = 0;
  };
  std::optional<Interval> added_percent_95;
};

SwitchedFigures switched_figures(const std::vector<SwitchedSlice>& slices);

}  // namespace moat::bench::api_load
