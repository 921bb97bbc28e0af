// Mutant of lesson 02: y is returned as xhat, without the affine step gamma * xhat + beta.
// caught-by: BatchNormForward.OutputMatchesPyTorch
// diagnosis: forgot_affine
#include "forward.hpp"

#include "bnkit/checks.hpp"

namespace bnkit {

void batchnorm_forward(Eigen::Ref<Eigen::MatrixXd> y, ForwardCache& cache,
                       const Eigen::Ref<const Eigen::MatrixXd>& x,
                       const Eigen::Ref<const Eigen::VectorXd>& gamma,
                       const Eigen::Ref<const Eigen::VectorXd>& beta, double eps) {
  const Eigen::Index n = x.rows(), d = x.cols();
  check_length(gamma.size(), d, "gamma");
  check_length(beta.size(), d, "beta");
  check_shape(y, n, d, "y");
  // One value per feature has no spread to normalise by (and no unbiased variance).
  check_more_than_one_value_per_channel(n, {n, d});

  // Mean per feature, over the batch.
  cache.mean = x.colwise().mean().transpose();
  const Eigen::MatrixXd centered = x.rowwise() - cache.mean.transpose();

  // Biased variance (divide by N): this one normalises. eps goes INSIDE the square root,
  // so rstd stays finite even for a feature that is constant over the batch.
  const Eigen::VectorXd var = centered.array().square().colwise().mean().transpose();
  cache.rstd = (var.array() + eps).rsqrt().matrix();

  // xhat has mean 0 and variance var/(var+eps) ~ 1 in every column.
  cache.xhat = centered * cache.rstd.asDiagonal();

  // The affine step lets the network undo the normalisation where that helps.
  y = cache.xhat;  // MUTANT: no affine step, gamma and beta are ignored
}

}  // namespace bnkit
