// The trusted oracle of lesson 06: BatchNorm's train-mode backward computed node by node, the
// long way, with every intermediate gradient of the forward graph kept. The tests compare the
// closed form against it (besides PyTorch's autograd); ./bnkit bench times it beside the
// closed forms. Kit code only: it includes nothing of the lessons or the solutions.
//
// The forward graph, per channel over its M values (M = N * L):
//   xc = x - mean            (centred)
//   var = sum(xc^2) / M      (biased; its rstd = 1/sqrt(var + eps) is given)
//   xhat = xc * rstd
//   y = gamma * xhat + beta
#pragma once

#include "bnkit/tensor.hpp"

#include <Eigen/Core>

namespace bnkit::oracle {

struct Gradients {
  Tensor dx;               ///< x's shape
  Eigen::VectorXd dgamma;  ///< (C), empty without affine
  Eigen::VectorXd dbeta;   ///< (C), empty without affine
};

/// Same arguments, same meaning as lesson 06's batchnorm_backward_fast (gamma empty: no
/// affine). No input checks: the tests call it on valid input only.
inline Gradients node_by_node_backward(const Eigen::VectorXd& mean, const Eigen::VectorXd& rstd, const Tensor& dy,
                                       const Tensor& x, const Eigen::VectorXd& gamma) {
  const bool affine = gamma.size() != 0;
  const Index channels = x.dim(1);
  const double m = static_cast<double>(x.dim(0) * (x.rank() == 3 ? x.dim(2) : 1));
  Gradients g{Tensor(x.shape()), Eigen::VectorXd(affine ? channels : 0), Eigen::VectorXd(affine ? channels : 0)};
  for (Index c = 0; c < channels; ++c) {
    const double gc = affine ? gamma[c] : 1.0, r = rstd[c];
    const Eigen::MatrixXd dyc = dy.channel(c);
    // Forward nodes again (the backward needs them).
    const Eigen::MatrixXd xc = x.channel(c).array() - mean[c];
    const Eigen::MatrixXd xhat = xc * r;
    // y = gamma * xhat + beta
    if (affine) {
      g.dbeta[c] = dyc.sum();
      g.dgamma[c] = (dyc.array() * xhat.array()).sum();
    }
    const Eigen::MatrixXd dxhat = dyc * gc;
    // xhat = xc * rstd: two inputs, two gradients.
    const double drstd = (dxhat.array() * xc.array()).sum();
    Eigen::MatrixXd dxc = dxhat * r;
    // rstd = (var + eps)^(-1/2): d rstd / d var = -1/2 * rstd^3.
    const double dvar = drstd * -0.5 * r * r * r;
    // var = sum(xc^2) / M: d var / d xc = 2 * xc / M.
    dxc += dvar * 2.0 / m * xc;
    // xc = x - mean: dx gets dxc directly, and mean gets -sum(dxc) ...
    const double dmean = -dxc.sum();
    // ... which mean = sum(x) / M spreads evenly over the M values of x.
    g.dx.channel(c) = dxc.array() + dmean / m;
  }
  return g;
}

}  // namespace bnkit::oracle
