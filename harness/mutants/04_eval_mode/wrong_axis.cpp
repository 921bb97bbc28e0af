// Mutant of lesson 04: for (N,C,L) input the statistics run over N only, one mean and variance per (c, l) position.
// caught-by: BatchNorm1dLayer.ThreeDimensionalInputMatchesPyTorch
// diagnosis: wrong_axis
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
  check_rank_2_or_3(x.shape());
  check_channels(x.shape(), num_features);
  const Index n = x.dim(0);
  const Index length = x.rank() == 3 ? x.dim(2) : 1;
  const Index m = n * length;  // values per channel: statistics run over N and L

  // Batch statistics in train mode, and always when there are no running statistics.
  const bool use_batch_stats = training || !options.track_running_stats;
  const bool update_buffers = training && options.track_running_stats;

  // PyTorch counts every train-mode call, an empty batch included.
  if (update_buffers) num_batches_tracked += 1;
  Tensor y(x.shape());
  if (m == 0) return y;  // empty in (N or L is 0), empty out; running statistics untouched

  Eigen::VectorXd mean(num_features), var(num_features);
  // MUTANT: statistics per (c, l) position, over N only: column c holds the L of channel c.
  Eigen::MatrixXd pos_mean(length, num_features), pos_var(length, num_features);
  if (use_batch_stats) {
    check_more_than_one_value_per_channel(m, x.shape());
    for (Index c = 0; c < num_features; ++c) {
      const ConstChannelView v = x.channel(c);  // L x N: every value of channel c
      // MUTANT: reduces each row of the L x N view (over N only), not the whole view.
      pos_mean.col(c) = v.rowwise().mean();
      pos_var.col(c) = (v.colwise() - pos_mean.col(c)).array().square().rowwise().mean();
      mean[c] = pos_mean.col(c).mean();  // for the buffers: the average over the positions
      var[c] = pos_var.col(c).mean();    // biased (divide by N): normalises
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
    pos_mean = mean.transpose().replicate(length, 1);
    pos_var = var.transpose().replicate(length, 1);
  }

  for (Index c = 0; c < num_features; ++c) {
    // MUTANT: one rstd and one mean per position l of channel c.
    const Eigen::ArrayXd rstd = (pos_var.col(c).array() + options.eps).rsqrt();
    const double scale = options.affine ? gamma[c] : 1.0;
    const double shift = options.affine ? beta[c] : 0.0;
    y.channel(c) =
        (((x.channel(c).colwise() - pos_mean.col(c)).array().colwise() * (rstd * scale)) + shift)
            .matrix();
  }
  return y;
}

}  // namespace bnkit
