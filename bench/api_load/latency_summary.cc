#include "api_load/latency_summary.h"

#include <algorithm>
#include <cstddef>

namespace moat::bench::api_load {
namespace {

// Index of the nearest-rank percentile: ceil(percent / 100 * n) - 1.
std::size_t rank_index(std::size_t n, std::size_t percent) {
  const std::size_t rank = (percent * n + 99) / 100;
  return rank == 0 ? 0 : rank - 1;
}

std::uint32_t select(std::vector<std::uint32_t>& samples, std::size_t index) {
  const auto nth = samples.begin() + static_cast<std::ptrdiff_t>(index);
  std::nth_element(samples.begin(), nth, samples.end());
  return *nth;
}

}  // namespace

LatencySummary summarize(std::vector<std::uint32_t>& samples) {
  LatencySummary summary;
  if (samples.empty()) return summary;
  summary.count = samples.size();
  summary.max_us = *std::max_element(samples.begin(), samples.end());
  summary.p50_us = select(samples, rank_index(samples.size(), 50));
  summary.p99_us = select(samples, rank_index(samples.size(), 99));
  return summary;
}

}  // namespace moat::bench::api_load
