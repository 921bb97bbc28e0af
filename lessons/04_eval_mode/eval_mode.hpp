/// \file
/// Lesson 04 contract: a BatchNorm1d layer with train and eval modes. Do not edit;
/// complete eval_mode.cpp (the constructor and forward).
///
/// Shapes: N = batch, C = channels (num_features), L = length. Inputs are (N,C) or (N,C,L).
#pragma once

#include "bnkit/tensor.hpp"

#include <Eigen/Core>

#include <optional>

namespace bnkit {

/// The switches PyTorch's BatchNorm1d takes, with its defaults.
struct BatchNormOptions {
  double eps = 1e-5;                     ///< added to the variance inside the square root
  std::optional<double> momentum = 0.1;  ///< std::nullopt: cumulative average
  bool affine = true;                    ///< learnable gamma and beta
  bool track_running_stats = true;       ///< keep running_mean / running_var
};

/// torch.nn.BatchNorm1d, forward only. Everything is public, as PyTorch's attributes are
/// (num_features, eps/momentum/affine/track_running_stats, training, weight, bias and the
/// buffers), so it can be inspected and loaded, and so the grader can carry the whole
/// layer to your code and back with every call.
class BatchNorm1d {
 public:
  /// gamma = 1 and beta = 0 (C) when affine, else empty; running_mean = 0,
  /// running_var = 1 (C) and num_batches_tracked = 0 when tracking, else empty.
  explicit BatchNorm1d(Index num_features, BatchNormOptions options = {});

  /// An empty layer (no features). The grader makes one and fills in every field; you never
  /// need it.
  BatchNorm1d() = default;

  /// y = gamma * (x - mean) / sqrt(var + eps) + beta, per channel over N (and L).
  /// Train mode (or no running stats): the batch's statistics, and in train mode with
  /// tracking, the running statistics are updated. Eval mode with running stats: the
  /// running statistics, and nothing changes.
  /// \param x (N,C) or (N,C,L). \return the same shape as x.
  /// \throws std::invalid_argument. The steps, in PyTorch's order:
  ///         1. a rank other than 2 or 3: "expected 2D or 3D input (got 4D input)";
  ///         2. train mode with tracking: num_batches_tracked += 1, for every call that
  ///            got past step 1, even one refused below (PyTorch's module counts the call
  ///            before it looks at the batch);
  ///         3. batch statistics (train mode, or no running stats) with one value per
  ///            channel, N * L == 1: "Expected more than 1 value per channel when
  ///            training, got input size [1, 3]";
  ///         4. an input with no values at all: returns an empty output of x's shape;
  ///         5. a channel count other than C: "expected 3 channels (dim 1), got input size
  ///            [2, 4]".
  ///         A refused call changes nothing else. The wording is fixed (the grader
  ///         compares it); the numbers come from the call.
  Tensor forward(const Tensor& x);

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
};

}  // namespace bnkit
