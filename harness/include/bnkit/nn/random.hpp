// Counter-based random numbers for the capstone: the value at (seed, stream, index) is a
// pure function of the three, so a layer's randomness crosses the process boundary as two
// integers and is the same on every machine (std::mt19937 + std::uniform_real_distribution
// is not: the distributions are implementation-defined).
#pragma once

#include <cstdint>

namespace bnkit {

/// SplitMix64's finaliser (Steele, Lea and Flood, 2014): a bijection that mixes every bit.
inline std::uint64_t mix64(std::uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/// A uniform double in [0, 1) from (seed, stream, index): 53 random bits.
inline double uniform01(std::uint64_t seed, std::uint64_t stream, std::uint64_t index) {
  const std::uint64_t bits = mix64(mix64(seed ^ mix64(stream)) + index);
  return static_cast<double>(bits >> 11) * 0x1.0p-53;
}

/// A sequential generator for the kit's own use (initialisation, shuffling).
class Rng {
 public:
  explicit Rng(std::uint64_t seed, std::uint64_t stream = 0) : seed_(seed), stream_(stream) {}
  double uniform() { return uniform01(seed_, stream_, next_++); }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  /// An integer in [0, n), n > 0 (Lemire's multiply-shift; bias below 2^-53 * n).
  std::uint64_t below(std::uint64_t n) { return static_cast<std::uint64_t>(uniform() * static_cast<double>(n)); }

 private:
  std::uint64_t seed_, stream_, next_ = 0;
};

}  // namespace bnkit
