/// \file
/// Lesson 08 contract: LayerNorm, GroupNorm and RMSNorm, forward and backward.
/// Do not edit; complete other_norms.cpp.
///
/// Shapes: N = batch, C = channels, L = the positions of one channel (H*W, or anything:
/// GroupNorm takes (N,C,*) of any rank >= 2). Tensors are row-major (PyTorch's layout).
/// None of these layers keeps running statistics or looks across the batch: each sample is
/// normalised with its own numbers, the same in training and at inference.
///
/// One "unit" is what one mean and one variance are taken over:
///   LayerNorm, RMSNorm: the trailing axes of x named by weight.shape() (PyTorch's
///     normalized_shape), for every leading index; D = their product values per unit.
///   GroupNorm(G): sample n, group g = channels [g*C/G, (g+1)*C/G) and all their
///     positions; D = (C/G)*L values per unit, contiguous in memory.
/// Variances are biased (divide by D); eps goes inside the square root.
#pragma once

#include "bnkit/tensor.hpp"

#include <Eigen/Core>

namespace bnkit {

/// Gradients of layer_norm: dx has x's shape, dweight and dbias weight's shape.
struct LayerNormGrads {
  Tensor dx;       ///< dL/dx
  Tensor dweight;  ///< dL/dweight, sum of dy * xhat over the leading axes
  Tensor dbias;    ///< dL/dbias, sum of dy over the leading axes
};

/// Gradients of group_norm: dx has x's shape, dweight and dbias are (C).
struct GroupNormGrads {
  Tensor dx;               ///< dL/dx
  Eigen::VectorXd dweight;  ///< (C) sum of dy * xhat over N and the positions of channel c
  Eigen::VectorXd dbias;    ///< (C) sum of dy over N and the positions of channel c
};

/// Gradients of rms_norm: dx has x's shape, dweight weight's shape (RMSNorm has no bias).
struct RmsNormGrads {
  Tensor dx;       ///< dL/dx
  Tensor dweight;  ///< dL/dweight, sum of dy * x / rms over the leading axes
};

/// torch.nn.functional.layer_norm(x, weight.shape, weight, bias, eps).
/// Per unit (see above): mean, biased var over its D values, then
///     y = (x - mean) / sqrt(var + eps) * weight + bias      (weight, bias per ELEMENT of the unit)
/// \param x (*, normalized_shape). \param weight, bias: normalized_shape (rank >= 1).
/// \return y, x's shape. An x with no values gives an empty y of x's shape.
/// \throws std::invalid_argument, in this order:
///   1. bias of another shape than weight: "bias should have shape [4] not [3]";
///   2. x whose trailing axes are not weight.shape() (or whose rank is smaller):
///      "Given normalized_shape=[4], expected input with shape [*, 4], but got input of size[2, 3]"
///      (PyTorch's words: no space before "[2, 3]"; for weight (4, 5) it says
///      "normalized_shape=[4, 5], expected input with shape [*, 4, 5]").
Tensor layer_norm(const Tensor& x, const Tensor& weight, const Tensor& bias, double eps);

/// The gradients of layer_norm at x for the upstream gradient dy (the bias does not enter
/// them). Per unit, with rstd = 1 / sqrt(var + eps), xhat = (x - mean) * rstd and
/// g = dy * weight (elementwise):
///     dx      = rstd * (g - mean(g) - xhat * mean(g * xhat))        (means over the unit)
///     dweight = sum over units of dy * xhat,   dbias = sum over units of dy
/// \throws std::invalid_argument, in this order: 1. as layer_norm's step 2 for x;
///   2. dy of another shape than x: "dy should have shape [2, 4] not [2, 3]".
///   An x with no values: empty dx, dweight and dbias zeros of weight's shape.
LayerNormGrads layer_norm_backward(const Tensor& dy, const Tensor& x, const Tensor& weight, double eps);

/// torch.nn.functional.group_norm(x, num_groups, weight, bias, eps), C = weight.size().
/// Per unit (sample n, group g): mean and biased var over its (C/G)*L values, then
///     y[n, c, ...] = (x - mean) / sqrt(var + eps) * weight[c] + bias[c]   (affine per CHANNEL)
/// Group g holds the consecutive channels g*C/G ... (g+1)*C/G - 1 (blocks, not strides).
/// \param x (N,C,*) rank >= 2. \param weight, bias (C). \return y, x's shape.
/// \throws std::invalid_argument, in this order:
///   1. num_groups < 1, or C not a multiple of num_groups: "num_channels must be divisible by
///      num_groups" (torch.nn.GroupNorm's words);
///   2. bias of another length than weight: "bias should contain 6 elements not 4";
///   3. x of rank < 2: "expected at least 2D input (got 1D input)";
///   4. x.dim(1) != C: "expected 6 channels (dim 1), got input size [2, 4, 3]".
///   An x with no values gives an empty y of x's shape.
Tensor group_norm(const Tensor& x, Index num_groups, const Eigen::VectorXd& weight, const Eigen::VectorXd& bias,
                  double eps);

/// The gradients of group_norm at x for dy. Per unit, with g = dy * weight[c]:
///     dx = rstd * (g - mean(g) - xhat * mean(g * xhat))     (means over the unit)
///     dweight[c] = sum of dy * xhat, dbias[c] = sum of dy, over N and channel c's positions
/// \throws std::invalid_argument: group_norm's steps 1, 3, 4 (step 2 has no bias here),
///   then dy of another shape than x: "dy should have shape [2, 6, 3] not [2, 6]".
///   An x with no values: empty dx, dweight and dbias zeros (C).
GroupNormGrads group_norm_backward(const Tensor& dy, const Tensor& x, Index num_groups,
                                   const Eigen::VectorXd& weight, double eps);

/// RMSNorm (torch.nn.RMSNorm of PyTorch >= 2.4, elementwise_affine): no mean, no bias.
/// Per unit: rms = sqrt(mean(x^2) + eps) (eps INSIDE the root), y = x / rms * weight.
/// \param x (*, normalized_shape). \param weight normalized_shape. \return y, x's shape.
/// \throws std::invalid_argument: as layer_norm's step 2. An x with no values: empty y.
Tensor rms_norm(const Tensor& x, const Tensor& weight, double eps);

/// The gradients of rms_norm at x for dy. Per unit, with r = 1 / rms, xhat = x * r and
/// g = dy * weight:
///     dx = r * (g - xhat * mean(g * xhat)),     dweight = sum over units of dy * xhat
/// \throws std::invalid_argument: as layer_norm_backward. An x with no values: empty dx,
///   dweight zeros of weight's shape.
RmsNormGrads rms_norm_backward(const Tensor& dy, const Tensor& x, const Tensor& weight, double eps);

}  // namespace bnkit
