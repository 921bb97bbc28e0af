/// \file
/// Lesson 11 contract: a frozen BatchNorm1d for fine-tuning, forward and backward. Do not
/// edit; complete frozen_bn.cpp (the constructor, forward and backward).
///
/// Shapes: N = batch, C = channels (num_features), L = length. Inputs are (N,C) or (N,C,L).
/// "Frozen" is PyTorch's `bn.eval()` inside a model in train mode: the layer normalises
/// with its running statistics (loaded from pre-training), whatever its mode, and changes
/// no buffer. Optionally its affine parameters are frozen too (requires_grad = False).
#pragma once

#include "bnkit/tensor.hpp"

#include <Eigen/Core>

namespace bnkit {

/// The switches of a frozen layer.
struct FrozenOptions {
  double eps = 1e-5;           ///< added to running_var inside the square root
  bool freeze_affine = false;  ///< gamma and beta frozen too: their gradients are reported as zeros
};

/// What backward returns: the gradients of the loss with respect to the input and the
/// parameters, given dy, the gradient with respect to the output.
struct FrozenGrads {
  Tensor dx;               ///< (N,C) or (N,C,L), the shape of x
  Eigen::VectorXd dgamma;  ///< (C) sum of dy * xhat over N (and L); zeros when freeze_affine
  Eigen::VectorXd dbeta;   ///< (C) sum of dy over N (and L); zeros when freeze_affine
};

/// A BatchNorm1d whose statistics are frozen. Everything is public, as in lessons 04 and 07,
/// so the grader can carry the whole layer to your code and back with every call; your code
/// keeps nothing elsewhere.
class FrozenBatchNorm1d {
 public:
  /// gamma = 1, beta = 0, running_mean = 0, running_var = 1 (C), num_batches_tracked = 0,
  /// training = true (the model around it trains). In real use the buffers and parameters
  /// are then loaded from a pre-trained model.
  explicit FrozenBatchNorm1d(Index num_features, FrozenOptions options = {});

  /// An empty layer (no features). The grader makes one and fills in every field; you never
  /// need it.
  FrozenBatchNorm1d() = default;

  /// y = gamma * (x - running_mean) / sqrt(running_var + eps) + beta, per channel, in train
  /// mode and in eval mode alike. Changes no field: not the buffers, not the counter.
  /// The statistics are fixed numbers, so any batch works, a batch of one included.
  /// \param x (N,C) or (N,C,L). \return the same shape as x.
  /// \throws std::invalid_argument, in this order (a refused call changes nothing):
  ///         1. a rank other than 2 or 3: "expected 2D or 3D input (got 4D input)";
  ///         2. an input with no values at all: returns an empty output of x's shape;
  ///         3. a channel count other than C: "expected 3 channels (dim 1), got input size
  ///            [2, 4]".
  Tensor forward(const Tensor& x);

  /// The gradients of forward at x for the upstream gradient dy. Changes no field. The
  /// statistics are constants, so there are no batch-statistic terms: with
  /// rstd = 1 / sqrt(running_var + eps) and xhat = (x - running_mean) * rstd, per channel,
  ///     dx     = dy * gamma * rstd
  ///     dgamma = sum(dy * xhat)   over N (and L); zeros (C) when options.freeze_affine
  ///     dbeta  = sum(dy)                           zeros (C) when options.freeze_affine
  /// \param dy dL/dy, the shape of x. \param x (N,C) or (N,C,L) the forward's input.
  /// \return dx (x's shape), dgamma (C), dbeta (C).
  /// \throws std::invalid_argument, in this order (nothing changes):
  ///         1. x of a rank other than 2 or 3: "expected 2D or 3D input (got 4D input)";
  ///         2. dy of another shape than x: "dy should have shape [2, 3] not [2, 4]";
  ///         3. a channel count other than C: "expected 3 channels (dim 1), got input size
  ///            [2, 4]".
  ///         An input with no values gives an empty dx and zeros for dgamma and dbeta.
  FrozenGrads backward(const Tensor& dy, const Tensor& x);

  void train(bool mode = true) { training = mode; }
  void eval() { training = false; }

  Index num_features = 0;        ///< C
  FrozenOptions options;         ///< the switches it was built with
  bool training = true;          ///< the model's mode; a frozen layer ignores it
  Eigen::VectorXd gamma;         ///< (C) scale, PyTorch's weight
  Eigen::VectorXd beta;          ///< (C) shift, PyTorch's bias
  Eigen::VectorXd running_mean;  ///< (C) frozen: read, never written
  Eigen::VectorXd running_var;   ///< (C) frozen: read, never written
  long num_batches_tracked = 0;  ///< frozen: never counts
};

}  // namespace bnkit
