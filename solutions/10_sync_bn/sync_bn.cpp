// Reference solution, lesson 10: SyncBatchNorm's statistics merged from shards.
#include "sync_bn.hpp"

#include "bnkit/checks.hpp"

#include <stdexcept>
#include <string>

namespace bnkit {

ShardStats shard_statistics(const Eigen::Ref<const Eigen::MatrixXd>& x) {
  ShardStats s;
  s.count = static_cast<long>(x.rows());
  // An empty shard contributes nothing: count 0, and zeros rather than 0 / 0.
  if (s.count == 0) {
    s.mean = Eigen::VectorXd::Zero(x.cols());
    s.m2 = Eigen::VectorXd::Zero(x.cols());
    return s;
  }
  // Two passes: the mean, then squared deviations from it (no cancellation at large offsets).
  s.mean = x.colwise().mean().transpose();
  s.m2 = (x.rowwise() - s.mean.transpose()).array().square().colwise().sum().transpose();
  return s;
}

ShardStats merge_shards(const ShardStats& a, const ShardStats& b) {
  if (a.mean.size() != b.mean.size() || a.m2.size() != a.mean.size() || b.m2.size() != b.mean.size()) {
    throw std::invalid_argument("merge_shards: the shards have " + std::to_string(a.mean.size()) + " and " +
                                std::to_string(b.mean.size()) + " channels (mean and m2 lengths must agree)");
  }
  if (a.count < 0 || b.count < 0) {
    throw std::invalid_argument("merge_shards: a shard's count cannot be negative, got " +
                                std::to_string(a.count < 0 ? a.count : b.count));
  }
  // An empty side adds nothing; returning the other also avoids 0 / 0 when both are empty.
  if (a.count == 0) return b;
  if (b.count == 0) return a;

  const double na = static_cast<double>(a.count);
  const double nb = static_cast<double>(b.count);
  const double n = na + nb;
  const Eigen::ArrayXd delta = (b.mean - a.mean).array();
  ShardStats out;
  out.count = a.count + b.count;
  // Move a's mean toward b's by b's share of the values.
  out.mean = (a.mean.array() + delta * (nb / n)).matrix();
  // Within-shard spread plus the between-shard term: the two means sit delta apart.
  out.m2 = (a.m2.array() + b.m2.array() + delta.square() * (na * nb / n)).matrix();
  return out;
}

void update_running_from_merged(RunningBuffers& running, const ShardStats& total, double momentum) {
  // Check everything before changing anything.
  check_length(running.mean.size(), total.mean.size(), "running_mean");
  check_length(running.var.size(), total.m2.size(), "running_var");
  if (total.count < 2) {
    throw std::invalid_argument("update_running_from_merged needs a total count >= 2, got " +
                                std::to_string(total.count) + ": the unbiased variance divides by count - 1");
  }
  running.num_batches_tracked += 1;
  // Unbiased over the WHOLE batch: M2 / (N_total - 1), as SyncBatchNorm does.
  const Eigen::VectorXd unbiased = total.m2 / static_cast<double>(total.count - 1);
  running.mean = (1.0 - momentum) * running.mean + momentum * total.mean;
  running.var = (1.0 - momentum) * running.var + momentum * unbiased;
}

}  // namespace bnkit
