#include "api_load/switched_figures.h"

#include <signal.h>

#include <algorithm>
#include <cstddef>
#include <random>

namespace moat::bench::api_load {
namespace {

double per_request(double cpu_seconds, std::uint64_t requests) {
  return requests == 0 ? 0.0 : cpu_seconds * 1e6 / static_cast<double>(requests);
}

// How much more SIGUSR1's CPU per request is than SIGUSR2's, in percent;
// empty when SIGUSR2 has none to compare with.
std::optional<double> added_percent(double usr1_us_per_request, double usr2_us_per_request) {
  if (usr2_us_per_request <= 0) return std::nullopt;
  return (usr1_us_per_request / usr2_us_per_request - 1) * 100;
}

struct Pair {
  const SwitchedSlice* usr1;
  const SwitchedSlice* usr2;
};

// A percentile bootstrap over pairs, not a formula over the pairs' spread:
// the figure is a ratio of sums, and single pairs' ratios are skewed (a
// slice the VM slowed down shows as one large outlier).
std::optional<SwitchedFigures::Interval> bootstrap_interval(const std::vector<Pair>& pairs) {
  constexpr std::size_t kMinPairs = 10;
  constexpr int kResamples = 2000;
  if (pairs.size() < kMinPairs) return std::nullopt;
  std::mt19937_64 random(20261206);  // fixed: the same slices always print the same interval
  std::uniform_int_distribution<std::size_t> pick(0, pairs.size() - 1);
  std::vector<double> figures;
  figures.reserve(kResamples);
  for (int r = 0; r < kResamples; ++r) {
    double usr1_cpu = 0;
    double usr2_cpu = 0;
    std::uint64_t usr1_requests = 0;
    std::uint64_t usr2_requests = 0;
    for (std::size_t i = 0; i < pairs.size(); ++i) {
      const Pair& pair = pairs[pick(random)];
      usr1_cpu += pair.usr1->server_cpu_seconds;
      usr2_cpu += pair.usr2->server_cpu_seconds;
      usr1_requests += pair.usr1->requests;
      usr2_requests += pair.usr2->requests;
    }
    const auto added = added_percent(per_request(usr1_cpu, usr1_requests), per_request(usr2_cpu, usr2_requests));
    if (added) figures.push_back(*added);
  }
  if (figures.size() < kResamples / 2) return std::nullopt;
  std::sort(figures.begin(), figures.end());
  const auto at = [&](double quantile) {
    return figures[static_cast<std::size_t>(quantile * static_cast<double>(figures.size() - 1))];
  };
  return SwitchedFigures::Interval{at(0.025), at(0.975)};
}

}  // namespace

SwitchedFigures switched_figures(const std::vector<SwitchedSlice>& slices) {
  SwitchedFigures out;
  double usr1_cpu = 0;
  double usr2_cpu = 0;
  double usr1_engine_cpu = 0;
  double usr2_engine_cpu = 0;
  for (const auto& slice : slices) {
    (slice.signal == SIGUSR1 ? usr1_cpu : usr2_cpu) += slice.server_cpu_seconds;
    (slice.signal == SIGUSR1 ? usr1_engine_cpu : usr2_engine_cpu) += slice.engine_cpu_seconds;
    (slice.signal == SIGUSR1 ? out.usr1_requests : out.usr2_requests) += slice.requests;
  }
  out.usr1_us_per_request = per_request(usr1_cpu, out.usr1_requests);
  out.usr2_us_per_request = per_request(usr2_cpu, out.usr2_requests);
  out.usr1_engine_us_per_request = per_request(usr1_engine_cpu, out.usr1_requests);
  out.usr2_engine_us_per_request = per_request(usr2_engine_cpu, out.usr2_requests);
  std::vector<Pair> pairs;
  for (std::size_t i = 0; i + 1 < slices.size(); i += 2) {
    const auto& a = slices[i];
    const auto& b = slices[i + 1];
    if (a.signal != SIGUSR1 || b.signal != SIGUSR2) continue;
    const auto added =
        added_percent(per_request(a.server_cpu_seconds, a.requests), per_request(b.server_cpu_seconds, b.requests));
    if (added) {
      out.pair_added_percent.push_back(*added);
      pairs.push_back({&a, &b});
    }
  }
  out.added_percent_95 = bootstrap_interval(pairs);
  return out;
}

}  // namespace moat::bench::api_load
