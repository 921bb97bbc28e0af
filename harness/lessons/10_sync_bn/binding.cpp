// Lesson 10's contract across the process boundary (see harness/README.md).
#include "sync_bn.hpp"

#include "bind.hpp"

BNKIT_BIND_FIELDS(bnkit::ShardStats, s, (s.count, s.mean, s.m2))
BNKIT_BIND_FIELDS(bnkit::RunningBuffers, r, (r.mean, r.var, r.num_batches_tracked))

BNKIT_BIND_FUNCTION(ShardStats, shard_statistics, (const Eigen::Ref<const Eigen::MatrixXd>& x), (x))
BNKIT_BIND_FUNCTION(ShardStats, merge_shards, (const ShardStats& a, const ShardStats& b), (a, b))
BNKIT_BIND_FUNCTION(void, update_running_from_merged,
                    (RunningBuffers& running, const ShardStats& total, double momentum),
                    (running, total, momentum))
