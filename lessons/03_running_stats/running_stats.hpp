/// \file
/// Lesson 03 contract: the running statistics that eval mode will use. Do not edit;
/// complete running_stats.cpp.
///
/// Shapes: D = features. M = values per feature that produced a batch's statistics
/// (N for an (N,D) batch, N*L for (N,C,L)).
#pragma once

#include <Eigen/Core>

#include <optional>

namespace bnkit {

/// BatchNorm's buffers: estimates of the whole data set's statistics, built during training.
struct RunningStats {
  Eigen::VectorXd mean;          ///< (D) running_mean
  Eigen::VectorXd var;           ///< (D) running_var (an estimate of the unbiased variance)
  long num_batches_tracked = 0;  ///< train-mode batches seen so far
};

/// Fresh buffers for D features, as PyTorch creates them.
RunningStats make_running_stats(Eigen::Index num_features);

/// Folds one batch's statistics into the running ones, PyTorch's way.
///
/// \param[in,out] running     the buffers to update (num_batches_tracked too).
/// \param[in]     batch_mean  (D) the batch mean.
/// \param[in]     batch_var   (D) the batch's BIASED variance (the one that normalised it).
/// \param[in]     count       M, the values per feature behind batch_var (at least 2).
/// \param[in]     momentum    weight of the new batch, PyTorch's convention (default 0.1);
///                            std::nullopt means a cumulative average over all batches.
/// \throws std::invalid_argument, checked in this order and before anything changes (a
///         refused call leaves the buffers and num_batches_tracked as they were):
///         1. "running_mean should contain 3 elements not 4" when batch_mean has 3
///            features but the buffers have 4, then likewise "running_var ..." for
///            batch_var; this wording is fixed;
///         2. count < 2 (no unbiased variance exists): the wording is yours, but the
///            message must contain the word "count" and the value given, as in
///            "update_running_stats needs count >= 2 values per feature, got 1".
void update_running_stats(RunningStats& running, const Eigen::Ref<const Eigen::VectorXd>& batch_mean,
                          const Eigen::Ref<const Eigen::VectorXd>& batch_var, Eigen::Index count,
                          std::optional<double> momentum = 0.1);

/// The PyTorch momentum that does what Keras's (and CS231n's) momentum does:
/// Keras keeps `momentum` of the old value, PyTorch takes `momentum` of the new one.
double momentum_from_keras(double keras_momentum);

}  // namespace bnkit
