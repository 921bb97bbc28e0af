// Reference solution, lesson 06: the train-mode backward pass in closed form.
#include "backward_fast.hpp"

#include "bnkit/checks.hpp"

#include <stdexcept>

namespace bnkit {

void batchnorm_backward_fast(Tensor& dx, Eigen::VectorXd& dgamma, Eigen::VectorXd& dbeta,
                             const Eigen::Ref<const Eigen::VectorXd>& mean,
                             const Eigen::Ref<const Eigen::VectorXd>& rstd, const Tensor& dy,
                             const Tensor& x, const Eigen::Ref<const Eigen::VectorXd>& gamma) {
  // Check everything first, in the contract's order; write nothing until all have passed.
  check_rank_2_or_3(x.shape());
  if (dy.shape() != x.shape()) {
    throw std::invalid_argument("dy should have shape " + shape_string(x.shape()) + " not " +
                                shape_string(dy.shape()));
  }
  const Index channels = x.dim(1);
  check_length(mean.size(), channels, "mean");
  check_length(rstd.size(), channels, "rstd");
  const bool affine = gamma.size() != 0;  // empty gamma: no affine step, gamma = 1
  if (affine) check_length(gamma.size(), channels, "gamma");
  // M: the values per channel that the forward pass's statistics ran over (N, and L).
  const Index m = x.dim(0) * (x.rank() == 3 ? x.dim(2) : 1);
  check_more_than_one_value_per_channel(m, x.shape());

  const double count = static_cast<double>(m);
  Tensor grad(x.shape());
  Eigen::VectorXd sum_dy(channels), sum_dy_xhat(channels);
  for (Index c = 0; c < channels; ++c) {
    // Channel c as an L x N matrix: all of its M values, whatever the rank.
    const ConstChannelView xc = x.channel(c), dyc = dy.channel(c);
    // Pass 1, the two sums of the closed form, over the channel's M values. xhat =
    // (x - mean) * rstd is rebuilt on the fly, never stored. Subtract the mean first: at an
    // offset of 1e5 the difference of two nearby doubles is exact, so xhat keeps every digit
    // of the spread (sum(dy * x) - mean * sum(dy) would not).
    sum_dy[c] = dyc.sum();                                                    // dbeta
    sum_dy_xhat[c] = rstd[c] * (dyc.array() * (xc.array() - mean[c])).sum();  // dgamma
    // Pass 2: dx = gamma * rstd / M * (M*dy - sum(dy) - xhat * sum(dy*xhat)). The middle term
    // is the gradient through the mean, the last the gradient through the variance.
    // (M == 0: the channel has no values, and the scale below is never used.)
    const double scale = (affine ? gamma[c] : 1.0) * rstd[c] / count;
    const double xhat_weight = rstd[c] * sum_dy_xhat[c];  // xhat * sum(dy*xhat) = (x - mean) * this
    grad.channel(c) = (scale * (count * dyc.array() - sum_dy[c] - (xc.array() - mean[c]) * xhat_weight)).matrix();
  }

  dx = std::move(grad);
  if (affine) {
    dgamma = sum_dy_xhat;  // dL/dgamma = sum(dy * xhat): y = gamma * xhat + beta
    dbeta = sum_dy;        // dL/dbeta  = sum(dy)
  } else {
    dgamma.resize(0);  // no parameters, no parameter gradients
    dbeta.resize(0);
  }
}

}  // namespace bnkit
