// Reference solution, lesson 07: BatchNorm2d, forward and backward, on NCHW tensors.
//
// Shapes: N = batch, C = channels, H, W = height, width; M = N*H*W values per channel.
// The one idea of the lesson: x.channel(c) is an (H*W) x N matrix holding every value of
// channel c, from every sample and every position. Reduce the whole view to one mean and
// one variance, and BatchNorm2d is BatchNorm1d (lesson 04) with M = N*H*W.
#include "conv_axes.hpp"

#include "bnkit/checks.hpp"

#include <cmath>

namespace bnkit {

BatchNorm2d::BatchNorm2d(Index channels, BatchNormOptions switches)
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
  // save_mean and save_rstd stay empty: no forward has run yet.
}

Tensor BatchNorm2d::forward(const Tensor& x) {
  // PyTorch's order (as in lesson 04): the module checks the rank and counts a train-mode
  // call; then F.batch_norm refuses one value per channel, returns an empty input as it
  // is, and only then compares the channel count with its buffers and gamma/beta.
  check_rank_4(x.shape());
  const Index n = x.dim(0);
  const Index m = n * x.dim(2) * x.dim(3);  // values per channel: over N, H and W

  // Batch statistics in train mode, and always when there are no running statistics.
  const bool use_batch_stats = training || !options.track_running_stats;
  const bool update_buffers = training && options.track_running_stats;

  // PyTorch counts every train-mode call past the rank check: an empty batch, and one that
  // is refused below, included.
  if (update_buffers) num_batches_tracked += 1;
  // On M, not N: a single image (1, C, H, W) with H*W > 1 trains fine.
  if (use_batch_stats) check_more_than_one_value_per_channel(m, x.shape());
  Tensor y(x.shape());
  if (x.numel() == 0) return y;  // empty in, empty out; statistics untouched
  check_channels(x.shape(), num_features);

  Eigen::VectorXd mean(num_features), var(num_features);
  if (use_batch_stats) {
    for (Index c = 0; c < num_features; ++c) {
      const ConstChannelView v = x.channel(c);  // (H*W) x N: all M values of channel c
      mean[c] = v.mean();                               // one mean per channel, over N, H, W
      var[c] = (v.array() - mean[c]).square().mean();  // biased (divide by M): normalises
    }
    // What backward needs: the statistics this call normalised with.
    save_mean = mean;
    save_rstd = (var.array() + options.eps).rsqrt().matrix();
    if (update_buffers) {
      const double w = options.momentum ? *options.momentum
                                         : 1.0 / static_cast<double>(num_batches_tracked);
      const double bessel = static_cast<double>(m) / static_cast<double>(m - 1);
      running_mean = (1.0 - w) * running_mean + w * mean;
      running_var = (1.0 - w) * running_var + w * (var * bessel);  // unbiased is stored
    }
  } else {
    // Eval with running statistics: fixed numbers, so any batch works, a single pixel
    // (1, C, 1, 1) included, and one image's output does not depend on the others.
    mean = running_mean;
    var = running_var;
  }

  for (Index c = 0; c < num_features; ++c) {
    const double rstd = 1.0 / std::sqrt(var[c] + options.eps);
    const double scale = options.affine ? gamma[c] : 1.0;
    const double shift = options.affine ? beta[c] : 0.0;
    y.channel(c) = ((x.channel(c).array() - mean[c]) * (rstd * scale) + shift).matrix();
  }
  return y;  // (N,C,H,W)
}

BatchNorm2dGrads BatchNorm2d::backward(const Tensor& dy, const Tensor& x) {
  check_rank_4(x.shape());
  check_same_shape(dy.shape(), x.shape(), "dy");
  check_channels(x.shape(), num_features);

  // The statistics the forward normalised with: the batch's (saved by forward), or the
  // running ones, which are constants as far as x is concerned.
  const bool batch_stats = training || !options.track_running_stats;
  Eigen::VectorXd mean, rstd;
  if (batch_stats) {
    check_length(save_mean.size(), num_features, "save_mean");
    check_length(save_rstd.size(), num_features, "save_rstd");
    mean = save_mean;
    rstd = save_rstd;
  } else {
    check_length(running_mean.size(), num_features, "running_mean");
    check_length(running_var.size(), num_features, "running_var");
    mean = running_mean;
    rstd = (running_var.array() + options.eps).rsqrt().matrix();
  }

  BatchNorm2dGrads grads;
  grads.dx = Tensor(x.shape());
  if (options.affine) {
    grads.dgamma = Eigen::VectorXd::Zero(num_features);
    grads.dbeta = Eigen::VectorXd::Zero(num_features);
  }
  if (x.numel() == 0) return grads;

  for (Index c = 0; c < num_features; ++c) {
    // Channel c as an (H*W) x N matrix again: every sum below runs over N, H and W.
    const Eigen::ArrayXXd d = dy.channel(c).array();
    const Eigen::ArrayXXd xhat = (x.channel(c).array() - mean[c]) * rstd[c];
    const double count = static_cast<double>(d.size());  // M
    const double sum_dy = d.sum();                 // = dbeta: beta is added to every value
    const double sum_dy_xhat = (d * xhat).sum();  // = dgamma: gamma scales every xhat
    if (options.affine) {
      grads.dgamma[c] = sum_dy_xhat;
      grads.dbeta[c] = sum_dy;
    }
    const double scale = options.affine ? gamma[c] : 1.0;
    if (batch_stats) {
      // dx = gamma * rstd * (dy - mean(dy) - xhat * mean(dy * xhat)):
      //   1. dy:                    the direct path, x -> xhat -> y;
      //   2. - mean(dy):            through the mean, which every value of the channel moved;
      //   3. - xhat * mean(dy*xhat): through the variance (rstd), likewise shared.
      // Terms 2 and 3 are why one image's gradient depends on every other image in the batch.
      grads.dx.channel(c) =
          (scale * rstd[c] * (d - sum_dy / count - xhat * (sum_dy_xhat / count))).matrix();
    } else {
      // Fixed statistics: BN is an affine map of each value, dx = dy * gamma * rstd.
      grads.dx.channel(c) = (scale * rstd[c] * d).matrix();
    }
  }
  return grads;
}

}  // namespace bnkit
