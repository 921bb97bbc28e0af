// attack: none, an honest mistake: the loop over a channel's values runs l <= L, one past the end, so the last value it reads, x(N-1, C-1, L), is outside the tensor; Eigen's index check stops every train-mode forward (it keeps the points of the layer's construction, an empty batch and a fresh layer in eval), and the message must name this file's line, not tensor.hpp's
// lesson: 04_eval_mode
// expect: 4
// compiles: yes
// message: BatchNorm1d::forward\(\) stopped on an Eigen index check at harness/adversarial/eigen_index_past_end/04_eval_mode\.cpp:45: an index past the end of a Tensor \(x\(n, c, l\) needs 0 <= n < N, 0 <= c < C and 0 <= l < L. l = 0 for an \(N,C\) tensor\). the call's arguments: x .[0-9]+, [0-9]+(, [0-9]+)?.
#include "eval_mode.hpp"

#include "bnkit/checks.hpp"

#include <cmath>

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
    num_batches_tracked = 0;
  }
}

Tensor BatchNorm1d::forward(const Tensor& x) {
  check_rank_2_or_3(x.shape());
  check_channels(x.shape(), num_features);
  const Index n = x.dim(0);
  const Index length = x.rank() == 3 ? x.dim(2) : 1;
  const Index m = n * length;
  const bool use_batch_stats = training || !options.track_running_stats;
  const bool update_buffers = training && options.track_running_stats;
  if (update_buffers) num_batches_tracked += 1;
  Tensor y(x.shape());
  if (m == 0) return y;

  Eigen::VectorXd mean(num_features), var(num_features);
  if (use_batch_stats) {
    check_more_than_one_value_per_channel(m, x.shape());
    for (Index c = 0; c < num_features; ++c) {
      double sum = 0.0, sum_sq = 0.0;
      for (Index i = 0; i < n; ++i) {
        for (Index l = 0; l <= length; ++l) sum += x(i, c, l);
      }
      mean[c] = sum / static_cast<double>(m);
      for (Index i = 0; i < n; ++i) {
        for (Index l = 0; l < length; ++l) sum_sq += (x(i, c, l) - mean[c]) * (x(i, c, l) - mean[c]);
      }
      var[c] = sum_sq / static_cast<double>(m);
    }
    if (update_buffers) {
      const double w = options.momentum ? *options.momentum
                                         : 1.0 / static_cast<double>(num_batches_tracked);
      const double bessel = static_cast<double>(m) / static_cast<double>(m - 1);
      running_mean = (1.0 - w) * running_mean + w * mean;
      running_var = (1.0 - w) * running_var + w * (var * bessel);
    }
  } else {
    mean = running_mean;
    var = running_var;
  }

  for (Index c = 0; c < num_features; ++c) {
    const double rstd = 1.0 / std::sqrt(var[c] + options.eps);
    const double scale = options.affine ? gamma[c] : 1.0;
    const double shift = options.affine ? beta[c] : 0.0;
    y.channel(c) = ((x.channel(c).array() - mean[c]) * (rstd * scale) + shift).matrix();
  }
  return y;
}

}  // namespace bnkit
