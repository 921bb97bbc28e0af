// Instructor mode: hidden tests, whose inputs are drawn fresh from a per-run seed and whose
// expected values come from the reference solution (the oracle), run in a worker of its own.
#pragma once

#include "session.hpp"

#include <cstdint>
#include <utility>

namespace bnkit::grader {

/// The run's seed (--bnkit-seed; the CLI draws a fresh one per run and prints it).
std::uint64_t hidden_seed();

/// Runs `f` with every contract call going to the reference solution; returns its result.
template <typename F>
auto with_oracle(F&& f) {
  boundary::OracleScope scope;
  return std::forward<F>(f)();
}

}  // namespace bnkit::grader
