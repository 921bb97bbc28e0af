// attack: a correct lesson 04 whose static initialiser calls _exit(0) when loaded, hoping the grader reads a clean exit as success: no call is ever answered
// lesson: 04_eval_mode
// expect: 0
// compiles: yes
#include "eval_mode.hpp"

#include "bnkit/checks.hpp"

#include <cmath>
#include <unistd.h>

namespace {

[[maybe_unused]] const bool gone = (_exit(0), true);

}  // namespace

namespace bnkit {

BatchNorm1d::BatchNorm1d(Index channels, BatchNormOptions switches)
    : num_features(channels), options(switches) {
  if (options.affine) {
    gamma = Eigen::VectorXd::Ones(num_features);
    beta = Eigen::VectorXd::Zero(num_features);
  }
  if (options.track_running_stats) {
    running_mean = Eigen::VectorXd::Zero(num_features);
    running_var = Eigen::VectorXd::Ones(num_features);
  }
}

Tensor BatchNorm1d::forward(const Tensor& x) {
  check_rank_2_or_3(x.shape());
  check_channels(x.shape(), num_features);
  const Index n = x.dim(0), len = x.rank() == 3 ? x.dim(2) : 1, m = n * len;
  const bool batch_stats = training || !options.track_running_stats;
  const bool update = training && options.track_running_stats;
  if (update) ++num_batches_tracked;
  Tensor y(x.shape());
  if (m == 0) return y;
  Eigen::VectorXd mean(num_features), var(num_features);
  if (batch_stats) {
    check_more_than_one_value_per_channel(m, x.shape());
    for (Index c = 0; c < num_features; ++c) {
      mean[c] = x.channel(c).mean();
      var[c] = (x.channel(c).array() - mean[c]).square().mean();
    }
    if (update) {
      const double w = options.momentum ? *options.momentum : 1.0 / static_cast<double>(num_batches_tracked);
      running_mean = (1.0 - w) * running_mean + w * mean;
      running_var = (1.0 - w) * running_var + w * var * (static_cast<double>(m) / static_cast<double>(m - 1));
    }
  } else {
    mean = running_mean;
    var = running_var;
  }
  for (Index c = 0; c < num_features; ++c) {
    const double scale = (options.affine ? gamma[c] : 1.0) / std::sqrt(var[c] + options.eps);
    const double shift = options.affine ? beta[c] : 0.0;
    y.channel(c) = ((x.channel(c).array() - mean[c]) * scale + shift).matrix();
  }
  return y;
}

}  // namespace bnkit
