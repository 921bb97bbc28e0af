// Lesson 10 tests: per-shard statistics merged into the whole batch's (SyncBatchNorm).
// The oracle is PyTorch on the concatenated batch: the merged count, mean and M2 must be
// BatchNorm's statistics of the whole batch, and the buffers those of one
// nn.BatchNorm1d train step on it.
#include "sync_bn.hpp"
#include "compare_scalar.hpp"
#include "lesson_test.hpp"

#include <string>
#include <vector>

namespace {

using bnkit::ShardStats;
using bnkit::grader::Case;
using bnkit::grader::Origin;
using bnkit::grader::counts_match;
using bnkit::grader::matches_case;
using bnkit::grader::tensors_match;
using bnkit::grader::kHandChecked;
using bnkit::grader::kUnchanged;

const char* kLesson = "10_sync_bn";

bnkit::Tensor vec(const Eigen::VectorXd& v) { return bnkit::grader::to_tensor(v); }

int shards_of(const Case& c) { return static_cast<int>(c.scalar("shards")); }
std::string dot(int k) { return "." + std::to_string(k); }

/// Shard k's statistics as the golden file has them (so the merge is judged on its own).
ShardStats golden_shard(const Case& c, int k) {
  ShardStats s;
  s.count = static_cast<long>(c.scalar("count" + dot(k)));
  s.mean = c.vector("shard_mean" + dot(k));
  s.m2 = c.vector("shard_m2" + dot(k));
  return s;
}

std::vector<ShardStats> golden_shards(const Case& c) {
  std::vector<ShardStats> shards;
  for (int k = 1; k <= shards_of(c); ++k) shards.push_back(golden_shard(c, k));
  return shards;
}

/// Shard k's values: (count.k, C), with no rows when the shard is empty.
Eigen::MatrixXd shard_values(const Case& c, int k) {
  if (c.has("x" + dot(k))) return c.matrix("x" + dot(k));
  return Eigen::MatrixXd(0, static_cast<Eigen::Index>(c.scalar("channels")));
}

/// merge_shards folded left to right: ((s1 + s2) + s3) + ..., as the fingerprints assume.
ShardStats fold_left(const std::vector<ShardStats>& shards) {
  ShardStats total = shards.front();
  for (std::size_t k = 1; k < shards.size(); ++k) total = bnkit::merge_shards(total, shards[k]);
  return total;
}

/// A balanced tree, as an all-reduce combines devices: pairs, then pairs of pairs.
ShardStats fold_tree(std::vector<ShardStats> shards) {
  while (shards.size() > 1) {
    std::vector<ShardStats> next;
    for (std::size_t k = 0; k + 1 < shards.size(); k += 2) next.push_back(bnkit::merge_shards(shards[k], shards[k + 1]));
    if (shards.size() % 2 == 1) next.push_back(shards.back());
    shards = next;
  }
  return shards.front();
}

/// Runs `check` on every PyTorch case; a failed call costs that case.
template <typename Check>
void for_torch_cases(Check&& check) {
  for (const Case& c : bnkit::grader::torch_cases(kLesson).cases()) {
    SCOPED_TRACE("case " + c.name());
    bnkit::grader::guarded([&] { check(c); });
  }
}

const Origin kHand{"hand-checked (README): shards [1, 2, 3] and [10, 14]", "", std::nullopt};

ShardStats stats(long count, double mean, double m2) {
  ShardStats s;
  s.count = count;
  s.mean = Eigen::VectorXd::Constant(1, mean);
  s.m2 = Eigen::VectorXd::Constant(1, m2);
  return s;
}

Eigen::VectorXd one(double v) { return Eigen::VectorXd::Constant(1, v); }

}  // namespace

BNKIT_TEST(SyncBn, HandCheckedMerge, 2) {
  // README: A = [1, 2, 3] (n 3, mean 2, M2 2), B = [10, 14] (n 2, mean 12, M2 8).
  // delta = 10, n = 5: mean = 2 + 10 * 2/5 = 6, M2 = 2 + 8 + 100 * 3 * 2 / 5 = 130.
  const ShardStats a = stats(3, 2.0, 2.0), b = stats(2, 12.0, 8.0);
  const ShardStats got = bnkit::merge_shards(a, b);
  EXPECT_TRUE(counts_match("merge_shards(A, B).count", got.count, 5, kHand));
  EXPECT_TRUE(tensors_match("merge_shards(A, B).mean", vec(got.mean), vec(one(6.0)), kHandChecked, kHand,
                            {{"mean_of_means", vec(one(7.0))}, {"swapped_merge_weights", vec(one(8.0))}}));
  EXPECT_TRUE(tensors_match("merge_shards(A, B).m2", vec(got.m2), vec(one(130.0)), kHandChecked, kHand,
                            {{"missing_between_term", vec(one(10.0))},
                             {"merge_one_side_count", vec(one(210.0))},
                             {"delta_not_squared", vec(one(22.0))},
                             {"sum_of_variances", vec(one((2.0 / 3 + 4.0) * 5))},
                             {"m2_divided_before_merging", vec(one(2.0 / 3 + 4.0 + 120.0))}}));
  // From fresh buffers (0, 1) with momentum 0.1: mean 0.6, var 0.9 + 0.1 * 130 / 4 = 4.15.
  bnkit::RunningBuffers r;
  r.mean = one(0.0);
  r.var = one(1.0);
  bnkit::update_running_from_merged(r, stats(5, 6.0, 130.0), 0.1);
  EXPECT_TRUE(tensors_match("running.mean", vec(r.mean), vec(one(0.6)), kHandChecked, kHand));
  EXPECT_TRUE(tensors_match("running.var", vec(r.var), vec(one(4.15)), kHandChecked, kHand,
                            {{"biased_variance_stored", vec(one(0.9 + 0.1 * 26.0))},
                             {"keras_momentum", vec(one(0.1 + 0.9 * 32.5))}}));
  EXPECT_TRUE(counts_match("running.num_batches_tracked", r.num_batches_tracked, 1, kHand));
}

BNKIT_TEST(SyncBn, ShardStatisticsMatchPyTorch, 2) {
  for_torch_cases([](const Case& c) {
    for (int k = 1; k <= shards_of(c); ++k) {
      SCOPED_TRACE("shard " + std::to_string(k) + " of " + std::to_string(shards_of(c)));
      const ShardStats s = bnkit::shard_statistics(shard_values(c, k));
      EXPECT_TRUE(counts_match("shard.count", s.count, static_cast<long>(c.scalar("count" + dot(k))),
                               {c.source() + ": the rows of the shard", c.name(), std::nullopt}));
      EXPECT_TRUE(matches_case("shard.mean", s.mean, c, "shard_mean" + dot(k)));
      EXPECT_TRUE(matches_case("shard.m2", s.m2, c, "shard_m2" + dot(k)));
    }
  });
}

BNKIT_TEST(SyncBn, MergedMeanMatchesWholeBatch, 3) {
  for_torch_cases([](const Case& c) {
    const ShardStats total = fold_left(golden_shards(c));
    EXPECT_TRUE(matches_case("merged mean (shards merged left to right)", total.mean, c, "mean"));
  });
}

BNKIT_TEST(SyncBn, MergedM2MatchesWholeBatch, 3) {
  for_torch_cases([](const Case& c) {
    const ShardStats total = fold_left(golden_shards(c));
    EXPECT_TRUE(matches_case("merged m2 (shards merged left to right)", total.m2, c, "m2"));
  });
}

BNKIT_TEST(SyncBn, MergedCountIsTheTotal, 1) {
  for_torch_cases([](const Case& c) {
    const ShardStats total = fold_left(golden_shards(c));
    EXPECT_TRUE(counts_match("merged count", total.count, static_cast<long>(c.scalar("count")),
                             {c.source() + ": the rows of the whole batch", c.name(), std::nullopt}));
  });
}

BNKIT_TEST(SyncBn, MergeOrderDoesNotMatter, 2) {
  // Devices finish in any order and an all-reduce combines them as a tree: reversed and
  // tree orders must give the whole batch's statistics too (to rounding).
  for_torch_cases([](const Case& c) {
    std::vector<ShardStats> shards = golden_shards(c);
    const std::vector<ShardStats> reversed(shards.rbegin(), shards.rend());
    const Origin whole{c.source() + ": the whole batch's statistics, whatever the merge order", c.name(),
                       std::nullopt};
    for (const auto& [order, total] : {std::pair<std::string, ShardStats>{"right to left", fold_left(reversed)},
                                       {"as a tree", fold_tree(shards)}}) {
      EXPECT_TRUE(tensors_match("merged mean, " + order, vec(total.mean), vec(c.vector("mean")),
                                bnkit::grader::Tolerance::forward(), whole));
      EXPECT_TRUE(tensors_match("merged m2, " + order, vec(total.m2), vec(c.vector("m2")),
                                bnkit::grader::Tolerance::forward(), whole));
    }
  });
  const ShardStats a = stats(3, 2.0, 2.0), b = stats(2, 12.0, 8.0);
  const ShardStats ba = bnkit::merge_shards(b, a);
  EXPECT_TRUE(tensors_match("merge_shards(B, A).mean", vec(ba.mean), vec(one(6.0)), kHandChecked, kHand));
  EXPECT_TRUE(tensors_match("merge_shards(B, A).m2", vec(ba.m2), vec(one(130.0)), kHandChecked, kHand));
}

BNKIT_TEST(SyncBn, EmptyShardsChangeNothing, 1) {
  // A device with no values sends count 0 (mean and M2 0): merging it changes nothing, and
  // two empty shards merge to an empty one, not to 0 / 0.
  const Origin rule{"the contract: an empty side changes nothing", "", std::nullopt};
  ShardStats empty;
  empty.mean = Eigen::VectorXd::Zero(2);
  empty.m2 = Eigen::VectorXd::Zero(2);
  ShardStats a;
  a.count = 4;
  a.mean = Eigen::Vector2d(1e4 + 0.5, -3.0);
  a.m2 = Eigen::Vector2d(0.25, 7.0);
  const ShardStats both = bnkit::merge_shards(empty, empty);
  EXPECT_TRUE(counts_match("merge_shards(empty, empty).count", both.count, 0, rule));
  EXPECT_TRUE(tensors_match("merge_shards(empty, empty).mean", vec(both.mean), vec(empty.mean), kUnchanged, rule));
  EXPECT_TRUE(tensors_match("merge_shards(empty, empty).m2", vec(both.m2), vec(empty.m2), kUnchanged, rule));
  for (const auto& [call, got] : {std::pair<std::string, ShardStats>{"merge_shards(empty, a)", bnkit::merge_shards(empty, a)},
                                  {"merge_shards(a, empty)", bnkit::merge_shards(a, empty)}}) {
    EXPECT_TRUE(counts_match(call + ".count", got.count, 4, rule));
    EXPECT_TRUE(tensors_match(call + ".mean", vec(got.mean), vec(a.mean), kHandChecked, rule));
    EXPECT_TRUE(tensors_match(call + ".m2", vec(got.m2), vec(a.m2), kHandChecked, rule));
  }
}

BNKIT_TEST(SyncBn, RunningBuffersMatchBatchNorm1d, 3) {
  for_torch_cases([](const Case& c) {
    ShardStats total;
    total.count = static_cast<long>(c.scalar("count"));
    total.mean = c.vector("mean");
    total.m2 = c.vector("m2");
    bnkit::RunningBuffers r;
    r.mean = c.vector("running_mean.0");
    r.var = c.vector("running_var.0");
    r.num_batches_tracked = static_cast<long>(c.scalar("num_batches_tracked.0"));
    bnkit::update_running_from_merged(r, total, c.scalar("momentum"));
    EXPECT_TRUE(matches_case("running.mean", r.mean, c, "running_mean"));
    EXPECT_TRUE(matches_case("running.var", r.var, c, "running_var"));
    EXPECT_TRUE(counts_match("running.num_batches_tracked", r.num_batches_tracked,
                             static_cast<long>(c.scalar("num_batches_tracked")),
                             {c.source() + ": one train-mode step", c.name(), std::nullopt}));
  });
}

BNKIT_TEST(SyncBn, ReferenceRandomizedCases, 1) {
  // The whole path: each shard's statistics, merged left to right, then the buffers.
  for (const Case& c : bnkit::grader::reference_cases(kLesson).cases()) {
    SCOPED_TRACE("case " + c.name());
    bnkit::grader::guarded([&] {
      ShardStats total = bnkit::shard_statistics(shard_values(c, 1));
      for (int k = 2; k <= shards_of(c); ++k) total = bnkit::merge_shards(total, bnkit::shard_statistics(shard_values(c, k)));
      EXPECT_TRUE(counts_match("merged count", total.count, static_cast<long>(c.scalar("count")),
                               {c.source(), c.name(), std::nullopt}));
      EXPECT_TRUE(matches_case("merged mean", total.mean, c, "mean"));
      EXPECT_TRUE(matches_case("merged m2", total.m2, c, "m2"));
      bnkit::RunningBuffers r;
      r.mean = c.vector("running_mean.0");
      r.var = c.vector("running_var.0");
      r.num_batches_tracked = static_cast<long>(c.scalar("num_batches_tracked.0"));
      bnkit::update_running_from_merged(r, total, c.scalar("momentum"));
      EXPECT_TRUE(matches_case("running.mean", r.mean, c, "running_mean"));
      EXPECT_TRUE(matches_case("running.var", r.var, c, "running_var"));
    });
  }
}

BNKIT_TEST(SyncBn, RejectsBadInput, 1) {
  using bnkit::grader::throws_invalid_argument;
  const ShardStats a = stats(3, 2.0, 2.0);
  ShardStats three;
  three.count = 2;
  three.mean = Eigen::VectorXd::Zero(3);
  three.m2 = Eigen::VectorXd::Zero(3);
  EXPECT_TRUE(throws_invalid_argument([&] { bnkit::merge_shards(a, three); }, "channels"));
  EXPECT_TRUE(throws_invalid_argument([&] { bnkit::merge_shards(three, a); }, "channels"));
  EXPECT_TRUE(throws_invalid_argument([&] { bnkit::merge_shards(a, stats(-2, 0.0, 0.0)); }, "count"));
  for (const auto& [buffers, total] : {std::pair<Eigen::Index, Eigen::Index>{4, 3}, {2, 6}}) {
    const std::string lengths = std::to_string(total) + " elements not " + std::to_string(buffers);
    ShardStats t;
    t.count = 10;
    t.mean = Eigen::VectorXd::Zero(total);
    t.m2 = Eigen::VectorXd::Ones(buffers);
    bnkit::RunningBuffers r;
    r.mean = Eigen::VectorXd::Zero(buffers);
    r.var = Eigen::VectorXd::Ones(buffers);
    EXPECT_TRUE(throws_invalid_argument([&] { bnkit::update_running_from_merged(r, t, 0.1); },
                                        "running_mean should contain " + lengths));
    t.mean = Eigen::VectorXd::Zero(buffers);
    t.m2 = Eigen::VectorXd::Ones(total);
    EXPECT_TRUE(throws_invalid_argument([&] { bnkit::update_running_from_merged(r, t, 0.1); },
                                        "running_var should contain " + lengths));
  }
  for (long count : {1L, 0L}) {
    bnkit::RunningBuffers r;
    r.mean = one(0.0);
    r.var = one(1.0);
    EXPECT_TRUE(throws_invalid_argument([&] { bnkit::update_running_from_merged(r, stats(count, 1.0, 0.0), 0.1); },
                                        std::vector<std::string>{"count", std::to_string(count)}));
  }
  EXPECT_TRUE(bnkit::grader::accepts(
      [&] {
        bnkit::RunningBuffers r;
        r.mean = one(0.0);
        r.var = one(1.0);
        bnkit::update_running_from_merged(r, stats(2, 1.0, 0.5), 0.1);
      },
      "total count 2 (the smallest with an unbiased variance)"));
}

BNKIT_TEST(SyncBn, RejectedUpdateChangesNothing, 1) {
  // Check everything, then change anything: a refused update leaves the buffers and the
  // counter as they were.
  bnkit::RunningBuffers given;
  given.mean = Eigen::Vector2d(0.5, -1.0);
  given.var = Eigen::Vector2d(1.5, 0.7);
  given.num_batches_tracked = 7;
  const Origin before{"the buffers as they were before the call: a refused call changes nothing", "", std::nullopt};
  for (const auto& [call, total] : {std::pair<std::string, ShardStats>{"total count 1", [] {
                                      ShardStats s;
                                      s.count = 1;
                                      s.mean = Eigen::Vector2d(3.0, 4.0);
                                      s.m2 = Eigen::Vector2d::Zero();
                                      return s;
                                    }()},
                                    {"total.mean of length 3", [] {
                                      ShardStats s;
                                      s.count = 5;
                                      s.mean = Eigen::Vector3d(3.0, 4.0, 5.0);
                                      s.m2 = Eigen::Vector2d(1.0, 2.0);
                                      return s;
                                    }()}}) {
    SCOPED_TRACE(call);
    bnkit::RunningBuffers got = given;
    EXPECT_TRUE(bnkit::grader::throws_invalid_argument(
        [&] { bnkit::update_running_from_merged(got, total, 0.1); }, std::vector<std::string>{}));
    EXPECT_TRUE(tensors_match("running.mean after the refused call", vec(got.mean), vec(given.mean), kUnchanged, before));
    EXPECT_TRUE(tensors_match("running.var after the refused call", vec(got.var), vec(given.var), kUnchanged, before));
    EXPECT_TRUE(counts_match("running.num_batches_tracked after the refused call", got.num_batches_tracked,
                             given.num_batches_tracked, before));
  }
}
