/// \file
/// Lesson 07 contract: a BatchNorm2d layer for convolution outputs, forward and backward.
/// Do not edit; complete conv_axes.cpp (the constructor, forward and backward).
///
/// Shapes: N = batch, C = channels (num_features), H, W = height, width. Inputs are
/// (N,C,H,W) in PyTorch's memory layout (NCHW, row-major): x[n, c, h, w] is at
/// ((n*C + c)*H + h)*W + w. M = N*H*W, the number of values of one channel: statistics are
/// per channel, over N, H and W together.
#pragma once

#include "eval_mode.hpp"  // BatchNormOptions, lesson 04's: BatchNorm2d takes BatchNorm1d's switches

#include "bnkit/tensor.hpp"

#include <Eigen/Core>

namespace bnkit {

/// What backward returns: the gradients of the loss with respect to the input and the
/// parameters, given dy, the gradient with respect to the output.
struct BatchNorm2dGrads {
  Tensor dx;               ///< (N,C,H,W) dL/dx, the shape of x
  Eigen::VectorXd dgamma;  ///< (C) dL/dgamma, sum of dy * xhat over N, H, W; empty unless affine
  Eigen::VectorXd dbeta;   ///< (C) dL/dbeta, sum of dy over N, H, W; empty unless affine
};

/// torch.nn.BatchNorm2d, forward and backward. Everything is public, as PyTorch's
/// attributes are (num_features, eps/momentum/affine/track_running_stats, training, weight,
/// bias, the buffers), and so is what backward needs from the forward (save_mean and
/// save_rstd, as PyTorch's native_batch_norm returns them), so the grader can carry the
/// whole layer to your code and back with every call. Your code keeps nothing elsewhere.
class BatchNorm2d {
 public:
  /// gamma = 1 and beta = 0 (C) when affine, else empty; running_mean = 0,
  /// running_var = 1 (C) and num_batches_tracked = 0 when tracking, else empty;
  /// save_mean and save_rstd empty (no forward yet).
  explicit BatchNorm2d(Index num_features, BatchNormOptions options = {});

  /// An empty layer (no channels). The grader makes one and fills in every field; you never
  /// need it.
  BatchNorm2d() = default;

  /// y = gamma * (x - mean) / sqrt(var + eps) + beta, per channel c over N, H and W
  /// (M = N*H*W values; biased variance).
  /// Train mode (or no running stats): the batch's statistics; in train mode with tracking
  /// the running statistics are updated (unbiased variance, var * M / (M - 1)). Eval mode
  /// with running stats: the running statistics, and nothing changes.
  /// Whenever it normalises with batch statistics, a call that returns an output also sets
  /// save_mean (C) to the batch mean and save_rstd (C) to 1 / sqrt(biased var + eps): what
  /// backward needs. An eval call with running stats, an empty input and a refused call
  /// leave them as they were.
  /// \param x (N,C,H,W). \return (N,C,H,W), the shape of x.
  /// \throws std::invalid_argument. The steps, in PyTorch's order:
  ///         1. a rank other than 4: "expected 4D input (got 3D input)";
  ///         2. train mode with tracking: num_batches_tracked += 1, for every call that
  ///            got past step 1, even one refused below (PyTorch's module counts the call
  ///            before it looks at the batch);
  ///         3. batch statistics (train mode, or no running stats) with one value per
  ///            channel, M = N*H*W == 1: "Expected more than 1 value per channel when
  ///            training, got input size [1, 3, 1, 1]". (1, C, H, W) with H*W > 1 is fine;
  ///         4. an input with no values at all: returns an empty output of x's shape;
  ///         5. a channel count other than C: "expected 3 channels (dim 1), got input size
  ///            [2, 4, 5, 5]".
  ///         A refused call changes nothing else. The wording is fixed (the grader
  ///         compares it); the numbers come from the call.
  Tensor forward(const Tensor& x);

  /// The gradients of forward at x, for the upstream gradient dy. Changes no field.
  /// In train mode, or without running stats (the forward normalised with its batch's
  /// statistics), it differentiates through those statistics, read from save_mean and
  /// save_rstd (never recomputed from x), with xhat = (x - save_mean) * save_rstd:
  ///     dbeta  = sum(dy)                       per channel, over N, H, W
  ///     dgamma = sum(dy * xhat)
  ///     dx     = gamma * save_rstd * (dy - mean(dy) - xhat * mean(dy * xhat))
  /// In eval mode with running stats (fixed statistics, "frozen" BN), rstd =
  /// 1 / sqrt(running_var + eps) and xhat = (x - running_mean) * rstd:
  ///     dx = dy * gamma * rstd;  dgamma and dbeta as above.
  /// gamma = 1 when !affine, and then dgamma and dbeta are empty. Call it after the forward
  /// it differentiates, with the same x, before the layer's mode or statistics change.
  /// \param dy (N,C,H,W) dL/dy. \param x (N,C,H,W) the forward's input.
  /// \return dx (N,C,H,W), dgamma (C), dbeta (C).
  /// \throws std::invalid_argument, in this order (nothing changes: backward is read-only):
  ///         1. x of a rank other than 4: "expected 4D input (got 3D input)";
  ///         2. dy of another shape than x: "dy should have shape [2, 3, 4, 4] not [2, 3, 4]";
  ///         3. a channel count other than C: "expected 3 channels (dim 1), got input size
  ///            [2, 4, 5, 5]";
  ///         4. the statistics it reads of a length other than C: batch statistics:
  ///            "save_mean should contain 3 elements not 0" (no train-mode forward yet),
  ///            then save_rstd; running ones: running_mean, then running_var.
  ///         After the checks, an input with no values gives an empty dx (and, when
  ///         affine, zeros for dgamma and dbeta).
  BatchNorm2dGrads backward(const Tensor& dy, const Tensor& x);

  void train(bool mode = true) { training = mode; }
  void eval() { training = false; }

  Index num_features = 0;         ///< C
  BatchNormOptions options;       ///< the switches it was built with
  bool training = true;           ///< train mode (batch statistics) or eval mode
  Eigen::VectorXd gamma;          ///< (C) scale, PyTorch's weight; empty unless affine
  Eigen::VectorXd beta;           ///< (C) shift, PyTorch's bias; empty unless affine
  Eigen::VectorXd running_mean;   ///< (C) empty unless track_running_stats
  Eigen::VectorXd running_var;    ///< (C) empty unless track_running_stats
  long num_batches_tracked = 0;   ///< train-mode forwards seen (while tracking)
  Eigen::VectorXd save_mean;      ///< (C) batch mean of the last batch-statistics forward
  Eigen::VectorXd save_rstd;      ///< (C) its 1 / sqrt(biased var + eps)
};

}  // namespace bnkit
