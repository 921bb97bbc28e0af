/// \file
/// Lesson 10 contract: SyncBatchNorm's statistics, merged from shards. Do not edit;
/// complete sync_bn.cpp.
///
/// Shapes: C = channels (features). A shard is the part of the batch one device holds,
/// M_k values per channel (M_k rows of an (M_k, C) matrix); M_k may be 0.
#pragma once

#include <Eigen/Core>

namespace bnkit {

/// What one device sends for one BatchNorm layer: 2C + 1 numbers.
struct ShardStats {
  long count = 0;        ///< values per channel behind the statistics (0: an empty shard)
  Eigen::VectorXd mean;  ///< (C) per-channel mean (all 0 for an empty shard)
  Eigen::VectorXd m2;    ///< (C) per-channel sum of squared deviations from `mean` (0 if empty)
};

/// The layer's buffers, as PyTorch keeps them.
struct RunningBuffers {
  Eigen::VectorXd mean;          ///< (C) running_mean
  Eigen::VectorXd var;           ///< (C) running_var (an estimate of the unbiased variance)
  long num_batches_tracked = 0;  ///< train-mode steps seen so far
};

/// The statistics of one shard, in two passes (mean first, then squared deviations).
/// \param[in] x  (M, C) the shard; M may be 0 (an empty shard: count 0, mean and m2 all 0,
///               of length C).
ShardStats shard_statistics(const Eigen::Ref<const Eigen::MatrixXd>& x);

/// The statistics of the union of two shards (Chan, Golub and LeVeque's pairwise merge).
/// The result must not depend on the order: merge_shards(a, b) equals merge_shards(b, a)
/// to rounding. Either side (or both) may be empty (count 0); an empty side changes nothing.
/// \param[in] a, b  two shards' statistics, C channels each.
/// \returns count a.count + b.count, the mean and m2 of all those values.
/// \throws std::invalid_argument when the two shards' channel counts (mean and m2 lengths)
///         differ, or a count is negative; the wording is yours, but the message must
///         contain the word "channels" (for a channel mismatch) or "count" (for a count).
ShardStats merge_shards(const ShardStats& a, const ShardStats& b);

/// One train-mode step of the buffers from the merged statistics of the whole batch, as
/// SyncBatchNorm does: num_batches_tracked += 1, and with m = momentum
///   mean = (1 - m) * mean + m * total.mean
///   var  = (1 - m) * var  + m * total.m2 / (total.count - 1)     (unbiased, whole batch)
/// \param[in,out] running   the buffers, C channels.
/// \param[in]     total     the merged statistics of the whole batch.
/// \param[in]     momentum  PyTorch's convention: the weight of the new batch.
/// \throws std::invalid_argument, before anything changes, when the lengths differ
///         ("running_mean should contain 3 elements not 4": 3 from total, 4 the buffers;
///         likewise "running_var ..." for total.m2), or when total.count < 2 (the message
///         must contain the word "count" and the value given).
void update_running_from_merged(RunningBuffers& running, const ShardStats& total, double momentum);

}  // namespace bnkit
