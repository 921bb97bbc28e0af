// Reference solution, lesson 11: a frozen BatchNorm1d (PyTorch's bn.eval() inside a model
// in train mode), forward and backward.
//
// Shapes: N = batch, C = channels, L = length; x.channel(c) is an L x N view of channel c.
// The one idea of the lesson: with frozen statistics BN is a fixed affine map of each value,
// y = a * x + b per channel, so nothing is learned about the batch and nothing flows
// through the statistics in backward.
#include "frozen_bn.hpp"

#include "bnkit/checks.hpp"

#include <cmath>

namespace bnkit {

FrozenBatchNorm1d::FrozenBatchNorm1d(Index channels, FrozenOptions switches)
    : num_features(channels), options(switches) {
  gamma = Eigen::VectorXd::Ones(num_features);  // PyTorch's defaults; a pre-trained
  beta = Eigen::VectorXd::Zero(num_features);   // model's values are loaded over them
  running_mean = Eigen::VectorXd::Zero(num_features);
  running_var = Eigen::VectorXd::Ones(num_features);
  num_batches_tracked = 0;
  training = true;
}

Tensor FrozenBatchNorm1d::forward(const Tensor& x) {
  check_rank_2_or_3(x.shape());
  // No one-value check: the statistics are not the batch's, so a batch of one is fine.
  // No counter: a frozen layer does not count batches (PyTorch's eval-mode BN does not).
  Tensor y(x.shape());
  if (x.numel() == 0) return y;  // empty in, empty out
  check_channels(x.shape(), num_features);

  for (Index c = 0; c < num_features; ++c) {
    // eps inside the root, as PyTorch: 1 / sqrt(var + eps).
    const double rstd = 1.0 / std::sqrt(running_var[c] + options.eps);
    y.channel(c) = ((x.channel(c).array() - running_mean[c]) * (rstd * gamma[c]) + beta[c]).matrix();
  }
  return y;  // the shape of x; every field as it was
}

FrozenGrads FrozenBatchNorm1d::backward(const Tensor& dy, const Tensor& x) {
  check_rank_2_or_3(x.shape());
  check_same_shape(dy.shape(), x.shape(), "dy");
  check_channels(x.shape(), num_features);

  FrozenGrads grads;
  grads.dx = Tensor(x.shape());
  grads.dgamma = Eigen::VectorXd::Zero(num_features);  // frozen affine: stays zero
  grads.dbeta = Eigen::VectorXd::Zero(num_features);
  if (x.numel() == 0) return grads;

  for (Index c = 0; c < num_features; ++c) {
    const double rstd = 1.0 / std::sqrt(running_var[c] + options.eps);
    const Eigen::ArrayXXd d = dy.channel(c).array();
    // y = gamma * rstd * (x - running_mean) + beta: the slope is gamma * rstd, a constant.
    // No - mean(dy), no - xhat * mean(dy * xhat): those came from the batch's mean and
    // variance depending on x, and frozen statistics do not.
    grads.dx.channel(c) = (gamma[c] * rstd * d).matrix();
    if (!options.freeze_affine) {
      const Eigen::ArrayXXd xhat = (x.channel(c).array() - running_mean[c]) * rstd;
      grads.dgamma[c] = (d * xhat).sum();  // gamma scales every xhat
      grads.dbeta[c] = d.sum();            // beta is added to every value
    }
  }
  return grads;
}

}  // namespace bnkit
