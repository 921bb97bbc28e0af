// Lesson 09: folding an eval-mode BatchNorm into the Linear / Conv2d layer before it.
// Complete fold_scale(), fold_linear_bn(), fold_conv_bn() and linear_bn_forward(). The
// contract is in folding.hpp; the lesson in README.md.
// Check your work with `./bnkit grade 09`; stuck? `./bnkit hint 09`.
#include "folding.hpp"

#include "bnkit/checks.hpp"
#include "bnkit/todo.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace bnkit {

Eigen::VectorXd fold_scale(const TrainedBatchNorm& bn) {
  // TODO(lesson 09): s = gamma / sqrt(running_var + eps), per channel (eps INSIDE the
  //   root). gamma empty (affine = false) means gamma = 1. A non-empty gamma must have
  //   running_var.size() entries: check_length(bn.gamma.size(), C, "gamma").
  BNKIT_TODO("lesson 09, fold_scale(): s = gamma / sqrt(running_var + eps)");
}

FoldedLinear fold_linear_bn(const Eigen::MatrixXd& weight, const Eigen::VectorXd& bias,
                            const TrainedBatchNorm& bn) {
  // TODO(lesson 09): the checks in the contract's order (bn.training -> "Fusion only for
  //   eval!"; a non-empty bias, running_mean, running_var, then gamma and beta when either
  //   is non-empty, each with check_length(..., out, "name"), out = weight.rows()).
  //   Then s = fold_scale(bn) and
  //     W' = diag(s) W        (row o times s[o]: the rows are the output features)
  //     b' = s * (b - running_mean) + beta   (b = 0 when empty, beta = 0 when empty).
  BNKIT_TODO("lesson 09, fold_linear_bn(): W' = diag(s) W, b' = s (b - running_mean) + beta");
}

FoldedConv2d fold_conv_bn(const Tensor& weight, const Eigen::VectorXd& bias, const TrainedBatchNorm& bn) {
  // TODO(lesson 09): as fold_linear_bn, for a (out,in,kh,kw) weight: first the training
  //   check, then the rank ("expected 4D conv weight (got 2D weight)"), then the lengths
  //   against out = weight.dim(0). Output channel o's filter is the contiguous block of
  //   in*kh*kw values starting at o*in*kh*kw in weight.values(): scale it by s[o].
  BNKIT_TODO("lesson 09, fold_conv_bn(): scale each output channel's filter by s[o]");
}

Eigen::MatrixXd linear_bn_forward(const Eigen::MatrixXd& x, const Eigen::MatrixXd& weight,
                                  const Eigen::VectorXd& bias, const TrainedBatchNorm& bn) {
  // TODO(lesson 09): the unfolded path. Checks: check_shape(x, x.rows(), weight.cols(), "x"),
  //   the same length checks as fold_linear_bn, then in train mode
  //   check_more_than_one_value_per_channel(N, {N, out}).
  //   z = x W^T + b; eval: normalise each column of z with running_mean / running_var;
  //   train: with the column's own mean and biased variance. y = zhat * gamma + beta.
  BNKIT_TODO("lesson 09, linear_bn_forward(): Linear, then BatchNorm in bn's mode");
}

}  // namespace bnkit
