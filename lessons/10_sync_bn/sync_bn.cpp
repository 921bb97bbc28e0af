// Lesson 10: SyncBatchNorm's statistics. Complete the three functions below.
// The contract is in sync_bn.hpp; the lesson in README.md.
// Check your work with `./bnkit grade 10`; stuck? `./bnkit hint 10`.
#include "sync_bn.hpp"

#include "bnkit/checks.hpp"
#include "bnkit/todo.hpp"

namespace bnkit {

ShardStats shard_statistics(const Eigen::Ref<const Eigen::MatrixXd>& x) {
  // TODO(lesson 10): count = x.rows(); mean per column (all 0 when there are no rows);
  //   m2 = per column sum of (x - mean)^2, in a second pass (never sum(x^2) - M * mean^2).
  BNKIT_TODO("lesson 10, shard_statistics(): count, mean and M2 of one shard");
}

ShardStats merge_shards(const ShardStats& a, const ShardStats& b) {
  // TODO(lesson 10): Chan's pairwise merge.
  //   1. Reject mismatched channel counts ("channels") and negative counts ("count").
  //   2. If one side is empty, return the other (0 / 0 is not a mean).
  //   3. n = na + nb; delta = mean_b - mean_a;
  //      mean = mean_a + delta * nb / n;  m2 = m2_a + m2_b + delta^2 * na * nb / n.
  BNKIT_TODO("lesson 10, merge_shards(): Chan's pairwise merge");
}

void update_running_from_merged(RunningBuffers& running, const ShardStats& total, double momentum) {
  // TODO(lesson 10): check lengths (check_length(running.mean.size(), total.mean.size(),
  //   "running_mean"), the same for "running_var" with total.m2) and total.count >= 2, then
  //   num_batches_tracked += 1 and the momentum update with the UNBIASED m2 / (count - 1).
  BNKIT_TODO("lesson 10, update_running_from_merged(): the buffers from the merged statistics");
}

}  // namespace bnkit
