#include "random.hpp"
#include "reference_cases.hpp"
#include "sync_bn.hpp"

#include <string>
#include <vector>

// Randomized shard layouts, merged left to right by the reference; same entries as the
// PyTorch file (see harness/lessons/10_sync_bn/golden/torch.py), without fingerprints.
void bnkit::golden::write_reference_cases(grader::CaseWriter& out) {
  struct Layout { const char* name; std::vector<Eigen::Index> sizes; Eigen::Index c; double offset; double momentum; std::uint64_t seed; };
  for (const Layout& q : {Layout{"ragged_7_shards", {3, 0, 11, 1, 5, 0, 2}, 4, 0.0, 0.1, 1101},
                          Layout{"offset_5e4_3_shards", {6, 2, 9}, 3, 5e4, 0.1, 1102},
                          Layout{"single_shard", {10}, 2, -20.0, 0.5, 1103},
                          Layout{"sixteen_pairs", {2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2}, 3, 1.0, 0.01, 1104}}) {
    out.begin_case(q.name);
    out.text("seed", std::to_string(q.seed));
    out.scalar("shards", static_cast<double>(q.sizes.size()));
    out.scalar("channels", static_cast<double>(q.c));
    out.scalar("momentum", q.momentum);
    ShardStats total;
    total.mean = Eigen::VectorXd::Zero(q.c);
    total.m2 = Eigen::VectorXd::Zero(q.c);
    for (std::size_t k = 0; k < q.sizes.size(); ++k) {
      const std::string s = "." + std::to_string(k + 1);
      Eigen::MatrixXd x = grader::random_normal(q.sizes[k], q.c, q.seed * 100 + k, q.offset, 2.0);
      const ShardStats shard = shard_statistics(x);
      out.scalar("count" + s, static_cast<double>(q.sizes[k]));
      if (q.sizes[k] > 0) out.matrix("x" + s, x);
      out.vector("shard_mean" + s, shard.mean);
      out.vector("shard_m2" + s, shard.m2);
      total = merge_shards(total, shard);
    }
    out.scalar("count", static_cast<double>(total.count));
    out.vector("mean", total.mean);
    out.vector("m2", total.m2);
    RunningBuffers running;
    running.mean = grader::random_normal(q.c, 1, q.seed * 100 + 90, 0.0, 1.0);
    running.var = grader::random_uniform(q.c, q.seed * 100 + 91, 0.5, 2.0);
    running.num_batches_tracked = 3;
    out.vector("running_mean.0", running.mean);
    out.vector("running_var.0", running.var);
    out.scalar("num_batches_tracked.0", 3);
    update_running_from_merged(running, total, q.momentum);
    out.vector("running_mean", running.mean);
    out.vector("running_var", running.var);
    out.scalar("num_batches_tracked", static_cast<double>(running.num_batches_tracked));
    out.end_case();
  }
}
