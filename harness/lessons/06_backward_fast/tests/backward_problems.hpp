// What lesson 06's visible and hidden tests share: one backward problem (the cache and dy),
// one call of the code under test, the tolerances, and inputs built so that a large offset
// tests the backward alone.
#pragma once

#include "backward_fast.hpp"
#include "lesson_test.hpp"
#include "node_by_node.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace bnkit::lesson06 {

using grader::Tolerance;

/// The arguments of batchnorm_backward_fast (gamma empty: no affine).
struct Problem {
  Eigen::VectorXd mean, rstd;
  Tensor dy, x;
  Eigen::VectorXd gamma;
};

/// What it gives back.
struct Gradients {
  Tensor dx;
  Eigen::VectorXd dgamma, dbeta;
};

/// Outputs holding stale values of the wrong sizes: the contract says the call resizes and
/// fills all three, so nothing of these may survive a valid call.
inline Gradients stale_outputs() {
  return {Tensor({1, 2}, Eigen::Vector2d(9.5, -9.5)), Eigen::VectorXd::Constant(7, -4.0),
          Eigen::VectorXd::Constant(1, 0.25)};
}

/// One call of the code under test (or of the oracle, inside with_oracle).
inline Gradients run(const Problem& p) {
  Gradients g = stale_outputs();
  batchnorm_backward_fast(g.dx, g.dgamma, g.dbeta, p.mean, p.rstd, p.dy, p.x, p.gamma);
  return g;
}

/// The trusted node-by-node computation of the same gradients.
inline Gradients node_by_node(const Problem& p) {
  oracle::Gradients g = oracle::node_by_node_backward(p.mean, p.rstd, p.dy, p.x, p.gamma);
  return {g.dx, g.dgamma, g.dbeta};
}

inline Tensor vec(const Eigen::VectorXd& v) { return grader::to_tensor(v); }

/// x - mean per channel, times rstd: the xhat the forward pass made.
inline Tensor xhat_of(const Problem& p) {
  Tensor xhat(p.x.shape());
  for (Index c = 0; c < p.x.dim(1); ++c) xhat.channel(c) = (p.x.channel(c).array() - p.mean[c]) * p.rstd[c];
  return xhat;
}

inline double max_abs(const Eigen::VectorXd& v) { return v.size() == 0 ? 0.0 : v.cwiseAbs().maxCoeff(); }

/// "1e-12 in double", measured against the size of what is added up, not of the result
/// (which is often far smaller, and 0 in places): |dx - want| <= 1e-12 * S with
/// S = max over channels |gamma| * rstd, times max |dy|, times (2 + max |xhat|), the size
/// of the three terms of the closed form. Any correct order of the arithmetic, the closed
/// form or node by node, agrees to ~1e-15 * S.
inline Tolerance dx_tolerance(const Problem& p) {
  const Eigen::VectorXd g = p.gamma.size() ? Eigen::VectorXd(p.gamma.cwiseAbs()) : Eigen::VectorXd::Ones(p.rstd.size());
  const double gr = p.rstd.size() ? max_abs(g.cwiseProduct(p.rstd)) : 0.0;
  return {1e-12 * gr * max_abs(p.dy.values()) * (2.0 + max_abs(xhat_of(p).values())), 1e-12};
}

/// dgamma to 1e-12 of sum |dy * xhat|, dbeta to 1e-12 of sum |dy| (largest channel).
inline Tolerance dgamma_tolerance(const Problem& p) {
  const Tensor xhat = xhat_of(p);
  double s = 0.0;
  for (Index c = 0; c < p.x.dim(1); ++c) s = std::max(s, (p.dy.channel(c).array() * xhat.channel(c).array()).abs().sum());
  return {1e-12 * s, 1e-12};
}
inline Tolerance dbeta_tolerance(const Problem& p) {
  double s = 0.0;
  for (Index c = 0; c < p.x.dim(1); ++c) s = std::max(s, p.dy.channel(c).array().abs().sum());
  return {1e-12 * s, 1e-12};
}

/// M of x: the values per channel.
inline Index values_per_channel(const Tensor& x) { return x.dim(0) * (x.rank() == 3 ? x.dim(2) : 1); }

/// The mean and rstd the forward pass would have saved for x: two passes, biased variance.
inline void fill_statistics(Problem& p, double eps) {
  const Index channels = p.x.dim(1);
  p.mean.resize(channels);
  p.rstd.resize(channels);
  for (Index c = 0; c < channels; ++c) {
    const Tensor& x = p.x;
    const ConstChannelView xc = x.channel(c);
    p.mean[c] = xc.mean();
    const double var = (xc.array() - p.mean[c]).square().mean();
    p.rstd[c] = 1.0 / std::sqrt(var + eps);
  }
}

/// Random draws for the tests, reproducible from a seed.
struct Draws {
  std::mt19937_64 gen;
  explicit Draws(std::uint64_t seed) : gen(seed) {}
  double normal() { return std::normal_distribution<double>(0.0, 1.0)(gen); }
  double uniform(double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(gen); }

  /// A tensor of this shape, channel c holding offset_c + spread_c * N(0,1) with offsets in
  /// [-3, 3] and spreads in [0.3, 3]: every channel its own location and size.
  Tensor tensor(const std::vector<Index>& shape) {
    Tensor t(shape);
    for (Index c = 0; c < t.dim(1); ++c) {
      const double offset = uniform(-3.0, 3.0), spread = uniform(0.3, 3.0);
      ChannelView v = t.channel(c);
      for (Index j = 0; j < v.cols(); ++j)
        for (Index i = 0; i < v.rows(); ++i) v(i, j) = offset + spread * normal();
    }
    return t;
  }

  /// Channel c holds offsets[c] + t, |t| ~ spread, each t a multiple of 2^-20 and the t of a
  /// channel summing to exactly 0. So every x is exact, every sum of them exact in any order,
  /// the mean is offsets[c] exactly and x - mean is exact: at an offset of 1e5 the test then
  /// looks at the backward alone, not at how the mean was rounded.
  Tensor exact_mean_tensor(const std::vector<Index>& shape, const std::vector<double>& offsets, double spread) {
    Tensor t(shape);
    const double q = std::ldexp(1.0, -20);
    for (Index c = 0; c < t.dim(1); ++c) {
      ChannelView v = t.channel(c);
      double sum = 0.0;
      for (Index k = 0; k + 1 < v.size(); ++k) {
        const double d = std::round(spread * normal() / q) * q;
        v(k % v.rows(), k / v.rows()) = d;
        sum += d;
      }
      v(v.rows() - 1, v.cols() - 1) = -sum;
      v.array() += offsets[static_cast<std::size_t>(c) % offsets.size()];
    }
    return t;
  }

  /// gamma of both signs, magnitudes 0.1..5.
  Eigen::VectorXd gamma(Index channels) {
    Eigen::VectorXd g(channels);
    for (Index c = 0; c < channels; ++c) g[c] = (normal() < 0 ? -1.0 : 1.0) * std::exp(uniform(std::log(0.1), std::log(5.0)));
    return g;
  }

  /// A whole problem: x of this shape (random, or at the given offsets), dy ~ N(0,1), gamma or
  /// none, and the cache the forward pass would have saved.
  Problem problem(const std::vector<Index>& shape, bool affine, double eps, const std::vector<double>& offsets = {}) {
    Problem p;
    p.x = offsets.empty() ? tensor(shape) : exact_mean_tensor(shape, offsets, 1.0);
    p.dy = Tensor(shape);
    for (Index i = 0; i < p.dy.numel(); ++i) p.dy.values()[i] = normal();
    if (affine) p.gamma = gamma(shape[1]);
    fill_statistics(p, eps);
    return p;
  }
};

/// "(4, 3, 2), affine" for traces.
inline std::string describe(const Problem& p) {
  return "x of shape " + shape_string(p.x.shape()) + (p.gamma.size() ? ", affine" : ", no affine");
}

}  // namespace bnkit::lesson06
