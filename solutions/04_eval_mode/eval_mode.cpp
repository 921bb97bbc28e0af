// Reference solution, lesson 04: BatchNorm1d with train and eval modes.
#include "eval_mode.hpp"

#include "bnkit/checks.hpp"

#include <cmath>

namespace bnkit {

BatchNorm1d::BatchNorm1d(Index channels, BatchNormOptions switches)
    : num_features(channels), options(switches) {
  if (options.affine) {
    gamma = Eigen::VectorXd::Ones(num_features);  // start as the identity map
    beta = Eigen::VectorXd::Zero(num_features);
  }
  if (options.track_running_stats) {
    running_mean = Eigen::VectorXd::Zero(num_features);
    running_var = Eigen::VectorXd::Ones(num_features);
    num_batches_tracked = 0;
  }
}

Tensor BatchNorm1d::forward(const Tensor& x) {
  // PyTorch's order: the module checks the rank and counts a train-mode call; then
  // F.batch_norm refuses one value per channel, returns an empty input as it is, and only
  // then compares the channel count with its buffers and gamma/beta.
  check_rank_2_or_3(x.shape());
  const Index n = x.dim(0);
  const Index length = x.rank() == 3 ? x.dim(2) : 1;
  const Index m = n * length;  // values per channel: statistics run over N and L

  // Batch statistics in train mode, and always when there are no running statistics.
  const bool use_batch_stats = training || !options.track_running_stats;
  const bool update_buffers = training && options.track_running_stats;

  // PyTorch counts every train-mode call past the rank check: an empty batch, and one that
  // is refused below, included.
  if (update_buffers) num_batches_tracked += 1;
  if (use_batch_stats) check_more_than_one_value_per_channel(m, x.shape());
  Tensor y(x.shape());
  if (x.numel() == 0) return y;  // empty in, empty out; running statistics untouched
  check_channels(x.shape(), num_features);

  Eigen::VectorXd mean(num_features), var(num_features);
  if (use_batch_stats) {
    for (Index c = 0; c < num_features; ++c) {
      const ConstChannelView v = x.channel(c);  // L x N: every value of channel c
      mean[c] = v.mean();
      var[c] = (v.array() - mean[c]).square().mean();  // biased (divide by M): normalises
    }
    if (update_buffers) {
      const double w = options.momentum ? *options.momentum
                                         : 1.0 / static_cast<double>(num_batches_tracked);
      const double bessel = static_cast<double>(m) / static_cast<double>(m - 1);
      running_mean = (1.0 - w) * running_mean + w * mean;
      running_var = (1.0 - w) * running_var + w * (var * bessel);  // unbiased is stored
    }
  } else {
    // Eval with running statistics: fixed numbers, so any batch size works, and the
    // output of one sample does not depend on the others.
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
