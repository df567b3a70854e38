#pragma once
// How the stream fuzzers cut their input into pieces: seed 0 hands over
// everything left at once; any other seed drives a small linear generator
// through piece sizes of 1 to `most`, so the same input is replayed split in
// a way that depends only on the seed.

#include <algorithm>
#include <cstddef>
#include <cstdint>

inline std::size_t next_piece_size(std::uint32_t& seed, std::size_t left, std::size_t most) {
  if (seed == 0) return left;
  seed = seed * 1103515245U + 12345U;
  return std::min<std::size_t>(left, 1 + (seed >> 16) % most);
}
