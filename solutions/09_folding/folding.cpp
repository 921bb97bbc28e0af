// Lesson 09 reference: folding an eval-mode BatchNorm into the Linear / Conv2d before it.
#include "folding.hpp"

#include "bnkit/checks.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace bnkit {

namespace {

/// Checks 2.-4. of the contract: the bias (when present) and the BatchNorm's vectors all
/// have one entry per output channel.
void check_layer(const Eigen::VectorXd& bias, const TrainedBatchNorm& bn, Index out) {
  if (bias.size() != 0) check_length(bias.size(), out, "bias");
  check_length(bn.running_mean.size(), out, "running_mean");
  check_length(bn.running_var.size(), out, "running_var");
  if (bn.gamma.size() != 0 || bn.beta.size() != 0) {
    check_length(bn.gamma.size(), out, "gamma");
    check_length(bn.beta.size(), out, "beta");
  }
}

void check_eval(const TrainedBatchNorm& bn) {
  if (bn.training) throw std::invalid_argument("Fusion only for eval!");
}

/// b' = s * (b - running_mean) + beta, with b = 0 when the layer has no bias.
Eigen::VectorXd folded_bias(const Eigen::VectorXd& scale, const Eigen::VectorXd& bias,
                            const TrainedBatchNorm& bn) {
  const Index out = scale.size();
  const Eigen::VectorXd b = bias.size() != 0 ? bias : Eigen::VectorXd(Eigen::VectorXd::Zero(out));
  const Eigen::VectorXd beta = bn.beta.size() != 0 ? bn.beta : Eigen::VectorXd(Eigen::VectorXd::Zero(out));
  return (scale.array() * (b - bn.running_mean).array()).matrix() + beta;
}

}  // namespace

Eigen::VectorXd fold_scale(const TrainedBatchNorm& bn) {
  const Index c = bn.running_var.size();
  if (bn.gamma.size() != 0) check_length(bn.gamma.size(), c, "gamma");
  // 1 / sqrt(var + eps): eps inside the root, as the BatchNorm's own forward has it.
  const Eigen::ArrayXd rstd = (bn.running_var.array() + bn.eps).sqrt().inverse();
  if (bn.gamma.size() == 0) return rstd.matrix();  // affine = false: gamma = 1
  return (bn.gamma.array() * rstd).matrix();
}

FoldedLinear fold_linear_bn(const Eigen::MatrixXd& weight, const Eigen::VectorXd& bias,
                            const TrainedBatchNorm& bn) {
  check_eval(bn);
  check_layer(bias, bn, weight.rows());
  const Eigen::VectorXd s = fold_scale(bn);
  FoldedLinear folded;
  // diag(s) W: row o (output feature o) times s[o].
  folded.weight = s.asDiagonal() * weight;
  folded.bias = folded_bias(s, bias, bn);
  return folded;
}

FoldedConv2d fold_conv_bn(const Tensor& weight, const Eigen::VectorXd& bias, const TrainedBatchNorm& bn) {
  check_eval(bn);
  if (weight.rank() != 4) {
    throw std::invalid_argument("expected 4D conv weight (got " + std::to_string(weight.rank()) + "D weight)");
  }
  const Index out = weight.dim(0);
  check_layer(bias, bn, out);
  const Eigen::VectorXd s = fold_scale(bn);
  FoldedConv2d folded{weight, {}};
  // Output channel o's filter is the o-th block of in*kh*kw values: scale the block by s[o].
  const Index block = out == 0 ? 0 : weight.numel() / out;
  for (Index o = 0; o < out; ++o) {
    folded.weight.values().segment(o * block, block) *= s[o];
  }
  folded.bias = folded_bias(s, bias, bn);
  return folded;
}

Eigen::MatrixXd linear_bn_forward(const Eigen::MatrixXd& x, const Eigen::MatrixXd& weight,
                                  const Eigen::VectorXd& bias, const TrainedBatchNorm& bn) {
  check_shape(x, x.rows(), weight.cols(), "x");
  const Index out = weight.rows();
  check_layer(bias, bn, out);
  if (bn.training) check_more_than_one_value_per_channel(x.rows(), {x.rows(), out});
  // The Linear layer: z = x W^T + b.
  Eigen::MatrixXd z = x * weight.transpose();
  if (bias.size() != 0) z.rowwise() += bias.transpose();
  // The statistics: the batch's (train) or the running ones (eval).
  Eigen::VectorXd mean = bn.running_mean, var = bn.running_var;
  if (bn.training) {
    mean = z.colwise().mean().transpose();
    var = (z.rowwise() - mean.transpose()).array().square().colwise().mean().transpose();  // biased
  }
  const Eigen::ArrayXd rstd = (var.array() + bn.eps).sqrt().inverse();
  const Eigen::ArrayXd gamma = bn.gamma.size() != 0 ? Eigen::ArrayXd(bn.gamma) : Eigen::ArrayXd::Ones(out);
  const Eigen::ArrayXd beta = bn.beta.size() != 0 ? Eigen::ArrayXd(bn.beta) : Eigen::ArrayXd::Zero(out);
  const Eigen::RowVectorXd scale = (gamma * rstd).matrix().transpose();
  const Eigen::RowVectorXd shift = (beta - mean.array() * gamma * rstd).matrix().transpose();
  Eigen::MatrixXd y = (z.array().rowwise() * scale.array()).matrix();
  y.rowwise() += shift;
  return y;
}

}  // namespace bnkit
