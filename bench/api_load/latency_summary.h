#pragma once
// Percentiles over every recorded latency. A plain vector: a 10 s run holds a
// few hundred thousand samples at most, so exact percentiles cost a few MB and
// one partial sort at the end, and nothing on the request path.

#include <cstdint>
#include <vector>

namespace moat::bench::api_load {

struct LatencySummary {
  std::uint64_t count = 0;
  std::uint32_t p50_us = 0;
  std::uint32_t p99_us = 0;
  std::uint32_t max_us = 0;
};

// Nearest-rank percentiles (the smallest sample with at least p% of the
// samples at or below it). Reorders samples.
LatencySummary summarize(std::vector<std::uint32_t>& samples);

}  // namespace moat::bench::api_load
