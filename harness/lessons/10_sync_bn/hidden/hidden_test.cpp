// Lesson 10 hidden tests (instructor mode): inputs drawn fresh from the run's seed, expected
// values from the reference solution (the oracle). Shard layouts, channel counts, offsets
// and merge orders are unlike the visible cases, so answers fitted to them earn nothing.
#include "sync_bn.hpp"
#include "lesson_test.hpp"

#include "bnkit/todo.hpp"

#include <algorithm>
#include <numeric>
#include <random>
#include <string>
#include <vector>

namespace {

using bnkit::RunningBuffers;
using bnkit::ShardStats;
using bnkit::grader::Tolerance;
using bnkit::grader::case_seed;
using bnkit::grader::hidden_case;
using bnkit::grader::tensors_match;
using bnkit::grader::to_tensor;

struct Draw : bnkit::grader::Draw {
  using bnkit::grader::Draw::Draw;
  /// Shard sizes: empty and one-value shards often, up to 40 values otherwise.
  Eigen::Index shard_size() {
    const Eigen::Index kind = integer(0, 4);
    return kind == 0 ? 0 : kind == 1 ? 1 : integer(2, 40);
  }
  /// A location: small, or a large offset of 1e4..1e5 (either sign).
  double offset() { return chance(0.4) ? sign() * log_uniform(1e4, 1e5) : uniform(-5.0, 5.0); }
  /// One shard's values: per channel its own offset and spread.
  Eigen::MatrixXd shard(Eigen::Index m, const Eigen::VectorXd& loc, const Eigen::VectorXd& spread) {
    Eigen::MatrixXd x(m, loc.size());
    for (Eigen::Index j = 0; j < loc.size(); ++j)
      for (Eigen::Index i = 0; i < m; ++i) x(i, j) = loc[j] + spread[j] * normal();
    return x;
  }
  /// Statistics of a random shard (empty now and then), as a device would send them.
  ShardStats stats(Eigen::Index c) {
    ShardStats s;
    s.count = static_cast<long>(chance(0.2) ? 0 : chance(0.2) ? 1 : integer(2, 5000));
    s.mean = Eigen::VectorXd::Zero(c);
    s.m2 = Eigen::VectorXd::Zero(c);
    if (s.count == 0) return s;
    for (Eigen::Index j = 0; j < c; ++j) {
      s.mean[j] = offset();
      if (s.count > 1) s.m2[j] = static_cast<double>(s.count) * log_uniform(1e-2, 1e2);
    }
    return s;
  }
};

void expect_same_stats(const ShardStats& got, const ShardStats& want, const std::string& what,
                       const bnkit::grader::Origin& origin) {
  EXPECT_EQ(got.count, want.count) << what << ".count (the reference's value)";
  EXPECT_TRUE(tensors_match(what + ".mean", to_tensor(got.mean), to_tensor(want.mean), Tolerance::forward(), origin));
  EXPECT_TRUE(tensors_match(what + ".m2", to_tensor(got.m2), to_tensor(want.m2), Tolerance::forward(), origin));
}

}  // namespace

// Catches: unweighted means of means, a between-shard term missing or with the wrong
// counts, M2 or variances added as if they were the same thing, empty or one-value shards
// mishandled, one-pass M2 at offsets of 1e4..1e5, and merges that only work in the visible
// order (here a random permutation of 1..12 shards, C = 1..16).
BNKIT_HIDDEN_TEST(HiddenSyncBn, RandomShardLayoutsAnyOrder, 3) {
  for (int k = 0; k < 6; ++k) {
    const std::uint64_t seed = case_seed(101, k);
    Draw draw(seed);
    const Eigen::Index c = draw.integer(1, 16);
    const int s = static_cast<int>(draw.integer(1, 12));
    Eigen::VectorXd loc(c), spread(c);
    for (Eigen::Index j = 0; j < c; ++j) {
      loc[j] = draw.offset();
      spread[j] = draw.log_uniform(0.1, 10.0);
    }
    std::vector<Eigen::MatrixXd> xs;
    for (int i = 0; i < s; ++i) xs.push_back(draw.shard(draw.shard_size(), loc, spread));
    std::vector<std::size_t> order(xs.size());
    std::iota(order.begin(), order.end(), 0);
    std::shuffle(order.begin(), order.end(), draw.gen);
    const std::string name = std::to_string(s) + "_shards_c" + std::to_string(c);
    hidden_case(name, seed, [&] {
      const ShardStats want = bnkit::grader::with_oracle([&] {
        ShardStats total = bnkit::shard_statistics(xs[0]);
        for (std::size_t i = 1; i < xs.size(); ++i) total = bnkit::merge_shards(total, bnkit::shard_statistics(xs[i]));
        return total;
      });
      ShardStats got = bnkit::shard_statistics(xs[order[0]]);
      for (std::size_t i = 1; i < order.size(); ++i) got = bnkit::merge_shards(got, bnkit::shard_statistics(xs[order[i]]));
      expect_same_stats(got, want, "the merged statistics (shards in a random order)",
                        {"the reference solution (hidden case)", name, seed});
    });
  }
}

// Catches: a merge that is not symmetric (weights swapped or one side's count), and empty
// or one-value sides handled differently on the left and on the right.
BNKIT_HIDDEN_TEST(HiddenSyncBn, MergeIsSymmetric, 2) {
  for (int k = 0; k < 8; ++k) {
    const std::uint64_t seed = case_seed(102, k);
    Draw draw(seed);
    const Eigen::Index c = draw.integer(1, 20);
    const ShardStats a = draw.stats(c), b = draw.stats(c);
    const std::string name = "counts_" + std::to_string(a.count) + "_and_" + std::to_string(b.count);
    hidden_case(name, seed, [&] {
      const ShardStats want = bnkit::grader::with_oracle([&] { return bnkit::merge_shards(a, b); });
      const bnkit::grader::Origin origin{"the reference solution (hidden case)", name, seed};
      expect_same_stats(bnkit::merge_shards(a, b), want, "merge_shards(a, b)", origin);
      expect_same_stats(bnkit::merge_shards(b, a), want, "merge_shards(b, a)", origin);
    });
  }
}

// Catches: the biased M2 / N in running_var, Keras's momentum, a counter that does not
// count, and an unbiased factor taken per shard instead of over the whole batch.
BNKIT_HIDDEN_TEST(HiddenSyncBn, RunningUpdateFromMergedStatistics, 2) {
  for (int k = 0; k < 6; ++k) {
    const std::uint64_t seed = case_seed(103, k);
    Draw draw(seed);
    const Eigen::Index c = draw.integer(1, 30);
    ShardStats total = draw.stats(c);
    if (total.count < 2) total.count = 2 + static_cast<long>(draw.integer(0, 3));
    RunningBuffers given;
    given.mean = Eigen::VectorXd(c);
    given.var = Eigen::VectorXd(c);
    for (Eigen::Index j = 0; j < c; ++j) {
      given.mean[j] = draw.offset();
      given.var[j] = draw.log_uniform(1e-3, 1e3);
    }
    given.num_batches_tracked = static_cast<long>(draw.integer(0, 900));
    const double momentum = k == 0 ? 1.0 : draw.chance(0.5) ? 0.1 : draw.uniform(0.0, 1.0);
    const std::string name = "count_" + std::to_string(total.count) + "_c" + std::to_string(c);
    hidden_case(name, seed, [&] {
      RunningBuffers want = given, got = given;
      bnkit::grader::with_oracle([&] { bnkit::update_running_from_merged(want, total, momentum); });
      bnkit::update_running_from_merged(got, total, momentum);
      const bnkit::grader::Origin origin{"the reference solution (hidden case)", name, seed};
      EXPECT_TRUE(tensors_match("running.mean", to_tensor(got.mean), to_tensor(want.mean), Tolerance::forward(), origin));
      EXPECT_TRUE(tensors_match("running.var", to_tensor(got.var), to_tensor(want.var), Tolerance::forward(), origin));
      EXPECT_EQ(got.num_batches_tracked, want.num_batches_tracked) << "running.num_batches_tracked";
    });
  }
}

// Catches: missing checks (channels, negative counts, lengths, count < 2), checks that
// refuse valid input (count 2, empty shards), and buffers changed before a check throws.
BNKIT_HIDDEN_TEST(HiddenSyncBn, BadInputThrowsLikeReference, 1) {
  for (int k = 0; k < 7; ++k) {
    const std::uint64_t seed = case_seed(104, k);
    Draw draw(seed);
    const Eigen::Index c = draw.integer(1, 12);
    const Eigen::Index wrong = c + draw.integer(1, 4);
    ShardStats a = draw.stats(c), b = draw.stats(c);
    ShardStats total = draw.stats(c);
    total.count = 2 + static_cast<long>(draw.integer(0, 50));
    std::string name;
    bool merge = true;
    switch (k) {
      case 0: b.mean = Eigen::VectorXd::Zero(wrong); b.m2 = Eigen::VectorXd::Zero(wrong); name = "merge_channels_differ"; break;
      case 1: a.count = -static_cast<long>(draw.integer(1, 5)); name = "merge_negative_count"; break;
      case 2: a.count = 0; b.count = 0; name = "merge_two_empty_is_valid"; break;
      case 3: merge = false; total.mean = Eigen::VectorXd::Zero(wrong); name = "update_mean_length"; break;
      case 4: merge = false; total.m2 = Eigen::VectorXd::Zero(wrong); name = "update_m2_length"; break;
      case 5: merge = false; total.count = static_cast<long>(draw.integer(-2, 1)); name = "update_count_" + std::to_string(total.count); break;
      default: merge = false; total.count = 2; name = "update_count_2_is_valid"; break;
    }
    hidden_case(name, seed, [&] {
      if (merge) {
        EXPECT_TRUE(bnkit::grader::run_on_both([&] { bnkit::merge_shards(a, b); })
                        .alike("merge_shards (" + name + ")", k == 0 ? "channels" : k == 1 ? "count" : ""));
        return;
      }
      RunningBuffers given;
      given.mean = Eigen::VectorXd::Constant(c, 0.25);
      given.var = Eigen::VectorXd::Constant(c, 2.0);
      given.num_batches_tracked = 5;
      RunningBuffers want = given, got = given;
      const bnkit::grader::Ends ends = bnkit::grader::run_on_both(
          want, got, [&](RunningBuffers& r) { bnkit::update_running_from_merged(r, total, 0.1); });
      EXPECT_TRUE(ends.alike("update_running_from_merged (" + name + ")", k == 5 ? "count" : ""));
      const bnkit::grader::Origin origin{"the reference solution (hidden case)", name, seed};
      EXPECT_TRUE(tensors_match("running.mean", to_tensor(got.mean), to_tensor(want.mean), Tolerance::forward(), origin));
      EXPECT_TRUE(tensors_match("running.var", to_tensor(got.var), to_tensor(want.var), Tolerance::forward(), origin));
      EXPECT_EQ(got.num_batches_tracked, want.num_batches_tracked) << "running.num_batches_tracked";
    });
  }
}
