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

/// torch.nn.BatchNorm1d, forward only. Parameters and buffers are public, as PyTorch's
/// attributes are, so they can be inspected and loaded.
class BatchNorm1d {
 public:
  /// gamma = 1 and beta = 0 (C) when affine, else empty; running_mean = 0,
  /// running_var = 1 (C) and num_batches_tracked = 0 when tracking, else empty.
  explicit BatchNorm1d(Index num_features, BatchNormOptions options = {});

  /// y = gamma * (x - mean) / sqrt(var + eps) + beta, per channel over N (and L).
  /// Train mode (or no running stats): the batch's statistics, and in train mode with
  /// tracking, the running statistics are updated. Eval mode with running stats: the
  /// running statistics, and nothing changes.
  /// \param x (N,C) or (N,C,L). \return the same shape as x.
  /// \throws std::invalid_argument for a rank other than 2 or 3 ("expected 2D or 3D input
  ///         (got 4D input)"), a channel count other than C, and a batch statistic of one
  ///         value per channel ("Expected more than 1 value per channel when training, ...").
  Tensor forward(const Tensor& x);

  void train(bool mode = true) { training_ = mode; }
  void eval() { training_ = false; }
  bool is_training() const { return training_; }
  Index num_features() const { return num_features_; }
  const BatchNormOptions& options() const { return options_; }

  Eigen::VectorXd gamma;          ///< (C) scale, PyTorch's weight; empty unless affine
  Eigen::VectorXd beta;           ///< (C) shift, PyTorch's bias; empty unless affine
  Eigen::VectorXd running_mean;   ///< (C) empty unless track_running_stats
  Eigen::VectorXd running_var;    ///< (C) empty unless track_running_stats
  long num_batches_tracked = 0;   ///< train-mode forwards seen (while tracking)

 private:
  Index num_features_ = 0;
  BatchNormOptions options_;
  bool training_ = true;
};

}  // namespace bnkit
