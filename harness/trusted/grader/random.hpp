// Seeded random inputs for invariant tests. The seed is printed with any failure.
#pragma once

#include "bnkit/tensor.hpp"

#include <Eigen/Core>

#include <cstdint>
#include <random>
#include <utility>
#include <vector>

namespace bnkit::grader {

/// (rows x cols) values mean + scale * N(0,1), reproducible from `seed`.
inline Eigen::MatrixXd random_normal(Eigen::Index rows, Eigen::Index cols, std::uint64_t seed,
                                     double mean = 0.0, double scale = 1.0) {
  std::mt19937_64 gen(seed);
  std::normal_distribution<double> normal(mean, scale);
  Eigen::MatrixXd m(rows, cols);
  for (Eigen::Index j = 0; j < cols; ++j)
    for (Eigen::Index i = 0; i < rows; ++i) m(i, j) = normal(gen);
  return m;
}

/// n values uniform in [lo, hi), reproducible from `seed`.
inline Eigen::VectorXd random_uniform(Eigen::Index n, std::uint64_t seed, double lo, double hi) {
  std::mt19937_64 gen(seed);
  std::uniform_real_distribution<double> uniform(lo, hi);
  Eigen::VectorXd v(n);
  for (Eigen::Index i = 0; i < n; ++i) v[i] = uniform(gen);
  return v;
}

/// A tensor of this shape whose values are seeded N(0,1) draws, offset + scale * N(0,1).
inline Tensor random_tensor(std::vector<Index> shape, std::uint64_t seed, double offset = 0.0, double scale = 1.0) {
  Tensor x(std::move(shape));
  x.values() = random_normal(x.numel(), 1, seed, offset, scale);
  return x;
}

}  // namespace bnkit::grader
