/// \file
/// Lesson 09 contract: fold a trained BatchNorm (eval mode) into the Linear or Conv2d layer
/// before it. Do not edit; complete folding.cpp.
///
/// Shapes: N = batch, in = input features (or channels), out = output features (or
/// channels) = C, the BatchNorm's channel count; kh, kw = kernel height and width.
/// A Linear computes z = x W^T + b (W is (out,in), b is (out)); a Conv2d's weight is a rank-4
/// Tensor (out,in,kh,kw) in PyTorch's layout (row-major: weight[o, i, h, w] is at
/// ((o*in + i)*kh + h)*kw + w). An empty bias means the layer has none (bias=False).
#pragma once

#include "bnkit/tensor.hpp"

#include <Eigen/Core>

namespace bnkit {

/// What folding needs from a trained BatchNorm1d / BatchNorm2d module.
struct TrainedBatchNorm {
  Eigen::VectorXd gamma;         ///< (C) PyTorch's weight; empty when affine = false (gamma = 1)
  Eigen::VectorXd beta;          ///< (C) PyTorch's bias; empty when affine = false (beta = 0)
  Eigen::VectorXd running_mean;  ///< (C)
  Eigen::VectorXd running_var;   ///< (C)
  double eps = 1e-5;             ///< added to the variance inside the square root
  bool training = false;         ///< the module's mode: folding is for eval mode only
};

/// A Linear layer with the BatchNorm folded in: x W'^T + b' = BN_eval(x W^T + b).
struct FoldedLinear {
  Eigen::MatrixXd weight;  ///< (out,in) W' = diag(s) W
  Eigen::VectorXd bias;    ///< (out) b' = s * (b - running_mean) + beta, always present
};

/// A Conv2d layer with the BatchNorm folded in.
struct FoldedConv2d {
  Tensor weight;         ///< (out,in,kh,kw): output channel o's filter times s[o]
  Eigen::VectorXd bias;  ///< (out) b' = s * (b - running_mean) + beta, always present
};

/// The per-channel scale of an eval-mode BatchNorm: s = gamma / sqrt(running_var + eps)
/// (gamma = 1 when it is empty). Works in either mode (it is arithmetic only).
/// \return (C), C = running_var.size().
/// \throws std::invalid_argument when gamma is not empty and its length is not C:
///         "gamma should contain 3 elements not 2" (bnkit/checks.hpp's check_length).
Eigen::VectorXd fold_scale(const TrainedBatchNorm& bn);

/// torch.nn.utils.fusion.fuse_linear_bn_eval: the Linear layer (weight, bias) followed by
/// bn in eval mode, as one Linear layer.
/// \param weight (out,in). \param bias (out), or empty for a Linear without bias.
/// \return weight (out,in), bias (out).
/// \throws std::invalid_argument, checked in this order (the wording is fixed):
///         1. bn.training: "Fusion only for eval!" (PyTorch's assertion);
///         2. a non-empty bias of a length other than out: "bias should contain 3 elements not 2";
///         3. running_mean, then running_var, of a length other than out:
///            "running_mean should contain 3 elements not 4";
///         4. when gamma or beta is non-empty (affine): gamma, then beta, of a length other
///            than out: "gamma should contain 3 elements not 0".
FoldedLinear fold_linear_bn(const Eigen::MatrixXd& weight, const Eigen::VectorXd& bias,
                            const TrainedBatchNorm& bn);

/// torch.nn.utils.fusion.fuse_conv_bn_eval: the Conv2d layer (weight, bias) followed by
/// BatchNorm2d in eval mode, as one Conv2d layer (same stride, padding, dilation).
/// \param weight (out,in,kh,kw). \param bias (out), or empty for a Conv2d without bias.
/// \return weight (out,in,kh,kw), bias (out).
/// \throws std::invalid_argument, checked in this order:
///         1. bn.training: "Fusion only for eval!";
///         2. a weight of a rank other than 4: "expected 4D conv weight (got 2D weight)";
///         3.-5. as fold_linear_bn's 2.-4., with out = weight.dim(0).
FoldedConv2d fold_conv_bn(const Tensor& weight, const Eigen::VectorXd& bias, const TrainedBatchNorm& bn);

/// The unfolded path, for comparison: z = x W^T + b (b = 0 when empty), then bn on z in
/// bn's mode, PyTorch's BatchNorm1d on (N,out):
///   eval:  y = (z - running_mean) / sqrt(running_var + eps) * gamma + beta;
///   train: y = (z - mean(z)) / sqrt(var(z) + eps) * gamma + beta, with the batch's mean
///          and biased variance per column. (The running buffers are not updated here:
///          bn is const; this lesson only looks at the output.)
/// gamma = 1 and beta = 0 when they are empty.
/// \param x (N,in). \param weight (out,in). \param bias (out) or empty. \return y (N,out).
/// \throws std::invalid_argument, checked in this order:
///         1. x with a column count other than in: "x should have shape [5, 4] not [5, 3]";
///         2.-4. as fold_linear_bn's 2.-4. (no mode check: both modes are computed);
///         5. train mode with N = 1: "Expected more than 1 value per channel when training,
///            got input size [1, 3]" (the size of z, (N,out)).
Eigen::MatrixXd linear_bn_forward(const Eigen::MatrixXd& x, const Eigen::MatrixXd& weight,
                                  const Eigen::VectorXd& bias, const TrainedBatchNorm& bn);

}  // namespace bnkit
