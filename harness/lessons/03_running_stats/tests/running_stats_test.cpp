// Lesson 03 tests: running statistics with PyTorch's momentum convention.
#include "running_stats.hpp"
#include "compare_scalar.hpp"
#include "lesson_test.hpp"

#include <string>
#include <vector>

namespace {

using bnkit::grader::Case;
using bnkit::grader::Origin;
using bnkit::grader::counts_match;
using bnkit::grader::matches_case;
using bnkit::grader::tensors_match;
using bnkit::grader::kHandChecked;
using bnkit::grader::kUnchanged;

const char* kLesson = "03_running_stats";

std::optional<double> momentum_of(const Case& c) {
  const std::string& m = c.text("momentum");
  if (m == "none") return std::nullopt;
  return std::stod(m);
}

/// Replays a PyTorch sequence from fresh buffers, comparing the buffers after every step.
void replay(const Case& c) {
  bnkit::RunningStats running = bnkit::make_running_stats(c.vector("batch_mean.1").size());
  const auto steps = static_cast<int>(c.scalar("steps"));
  for (int k = 1; k <= steps; ++k) {
    const std::string s = "." + std::to_string(k);
    SCOPED_TRACE("case " + c.name() + ", after batch " + std::to_string(k));
    const bool returned = bnkit::grader::guarded([&] {
      bnkit::update_running_stats(running, c.vector("batch_mean" + s), c.vector("batch_var" + s),
                                  static_cast<Eigen::Index>(c.scalar("count")), momentum_of(c));
    });
    if (!returned) return;  // crashed or hung: later steps depend on this one
    EXPECT_TRUE(matches_case("running.mean", running.mean, c, "running_mean" + s));
    EXPECT_TRUE(matches_case("running.var", running.var, c, "running_var" + s));
    EXPECT_TRUE(counts_match("running.num_batches_tracked", running.num_batches_tracked,
                             static_cast<long>(c.scalar("num_batches_tracked" + s)),
                             {c.source() + ": it counts the batches seen so far", c.name(), std::nullopt}));
  }
}

void replay_cases(const bnkit::grader::CaseFile& file, bool cumulative) {
  for (const Case& c : file.cases()) {
    if ((c.text("momentum") == "none") == cumulative) replay(c);
  }
}

/// A (D) vector, or an expression that makes one, as a tensor for tensors_match.
bnkit::Tensor vec(const Eigen::VectorXd& v) { return bnkit::grader::to_tensor(v); }

/// Numbers worked out by hand in BN_SPEC.md and the README: exact to rounding.
const Origin kHand{"hand-checked (BN_SPEC.md)", "", std::nullopt};

/// Every buffer and the counter exactly as they were before `call` (a refused call).
void expect_unchanged(const bnkit::RunningStats& got, const bnkit::RunningStats& given, const std::string& call) {
  const Origin before{"the buffers as they were before the call: a refused call changes nothing", call,
                      std::nullopt};
  EXPECT_TRUE(tensors_match("running.mean after the refused call", vec(got.mean), vec(given.mean), kUnchanged, before));
  EXPECT_TRUE(tensors_match("running.var after the refused call", vec(got.var), vec(given.var), kUnchanged, before));
  EXPECT_TRUE(counts_match("running.num_batches_tracked after the refused call", got.num_batches_tracked,
                           given.num_batches_tracked, before));
}

}  // namespace

BNKIT_TEST(RunningStats, StartAtZeroMeanAndUnitVariance, 2) {
  const bnkit::RunningStats r = bnkit::make_running_stats(4);
  const Origin pytorch{"PyTorch's initial buffers (BN_SPEC.md): running_mean 0, running_var 1", "", std::nullopt};
  EXPECT_TRUE(tensors_match("running.mean", vec(r.mean), vec(Eigen::VectorXd::Zero(4)), kHandChecked, pytorch));
  EXPECT_TRUE(tensors_match("running.var", vec(r.var), vec(Eigen::VectorXd::Ones(4)), kHandChecked, pytorch,
                            {{"running_var_init_zero", vec(Eigen::VectorXd::Zero(4))}}));
  EXPECT_TRUE(counts_match("running.num_batches_tracked", r.num_batches_tracked, 0, pytorch));
}

BNKIT_TEST(RunningStats, HandCheckedNumbers, 2) {
  // BN_SPEC.md: batch [[1,2],[3,4],[5,6]], momentum 0.1, from 0/1: mean [0.3, 0.4],
  // unbiased var 8/3 * 3/2 = 4, so running_var = 0.9 * 1 + 0.1 * 4 = 1.3.
  bnkit::RunningStats r = bnkit::make_running_stats(2);
  bnkit::update_running_stats(r, Eigen::Vector2d(3.0, 4.0), Eigen::Vector2d(8.0 / 3, 8.0 / 3), 3, 0.1);
  EXPECT_TRUE(tensors_match("running.mean", vec(r.mean), vec(Eigen::Vector2d(0.3, 0.4)), kHandChecked, kHand));
  EXPECT_TRUE(tensors_match("running.var", vec(r.var), vec(Eigen::Vector2d(1.3, 1.3)), kHandChecked, kHand,
                            {{"biased_variance_stored", vec(Eigen::VectorXd::Constant(2, 0.9 + 0.1 * 8.0 / 3))},
                             // count 3: an integer Bessel factor 3 / 2 = 1 stores the biased variance too
                             {"integer_bessel", vec(Eigen::VectorXd::Constant(2, 0.9 + 0.1 * 8.0 / 3))}}));
  EXPECT_TRUE(counts_match("running.num_batches_tracked", r.num_batches_tracked, 1, kHand));
}

BNKIT_TEST(RunningStats, MomentumSequencesMatchPyTorch, 4) {
  replay_cases(bnkit::grader::torch_cases(kLesson), /*cumulative=*/false);
}

BNKIT_TEST(RunningStats, CumulativeAverageWhenMomentumIsNone, 3) {
  replay_cases(bnkit::grader::torch_cases(kLesson), /*cumulative=*/true);
}

BNKIT_TEST(RunningStats, ReferenceRandomizedCases, 2) {
  for (const Case& c : bnkit::grader::reference_cases(kLesson).cases()) replay(c);
}

BNKIT_TEST(RunningStats, KerasMomentumConverts, 1) {
  using bnkit::grader::scalars_match;
  const bnkit::grader::Tolerance tol = bnkit::grader::kUlpOfOne;
  EXPECT_TRUE(scalars_match("momentum_from_keras(0.99)", bnkit::momentum_from_keras(0.99), 0.01, tol,
                            {"the README: Keras 0.99 keeps 99% of the old value, PyTorch 0.01 takes 1% of the new",
                             "", std::nullopt}));
  EXPECT_TRUE(scalars_match("momentum_from_keras(0.9)", bnkit::momentum_from_keras(0.9), 0.1, tol,
                            {"the README: CS231n's 0.9 is PyTorch's 0.1", "", std::nullopt}));
}

// The contract fixes these messages word for word; two sizes each, so the numbers in them
// must come from the call.
BNKIT_TEST(RunningStats, RejectsMismatchedLengths, 1) {
  using bnkit::grader::throws_invalid_argument;
  EXPECT_TRUE(bnkit::grader::accepts(
      [] {
        bnkit::RunningStats r = bnkit::make_running_stats(3);
        bnkit::update_running_stats(r, Eigen::VectorXd::Zero(3), Eigen::VectorXd::Ones(3), 2);
      },
      "3 features into buffers of 3, count 2"));
  for (const auto& [buffers, batch] : {std::pair<Eigen::Index, Eigen::Index>{4, 3}, {2, 6}}) {
    const std::string lengths = std::to_string(batch) + " elements not " + std::to_string(buffers);
    EXPECT_TRUE(throws_invalid_argument(
        [&] {
          bnkit::RunningStats r = bnkit::make_running_stats(buffers);
          bnkit::update_running_stats(r, Eigen::VectorXd::Zero(batch), Eigen::VectorXd::Ones(buffers), 5);
        },
        "running_mean should contain " + lengths));
    EXPECT_TRUE(throws_invalid_argument(
        [&] {
          bnkit::RunningStats r = bnkit::make_running_stats(buffers);
          bnkit::update_running_stats(r, Eigen::VectorXd::Zero(buffers), Eigen::VectorXd::Ones(batch), 5);
        },
        "running_var should contain " + lengths));
  }
}

BNKIT_TEST(RunningStats, RejectsCountBelowTwo, 1) {
  // The wording is free, but the message must say what was wrong: the count, and its value.
  EXPECT_TRUE(bnkit::grader::accepts(
      [] {
        bnkit::RunningStats r = bnkit::make_running_stats(2);
        bnkit::update_running_stats(r, Eigen::VectorXd::Zero(2), Eigen::VectorXd::Ones(2), 2);
      },
      "count 2 (the smallest M with an unbiased variance)"));
  for (Eigen::Index count : {1, -3}) {
    EXPECT_TRUE(bnkit::grader::throws_invalid_argument(
        [&] {
          bnkit::RunningStats r = bnkit::make_running_stats(2);
          bnkit::update_running_stats(r, Eigen::VectorXd::Zero(2), Eigen::VectorXd::Ones(2), count);
        },
        std::vector<std::string>{"count", std::to_string(count)}));
  }
}

BNKIT_TEST(RunningStats, RejectedCallsChangeNoBuffer, 1) {
  // The contract: check everything, then change anything. Every refused call leaves the
  // buffers and the counter as they were, mid-training here. Code that refuses everything
  // earns nothing here.
  bnkit::RunningStats given = bnkit::make_running_stats(3);
  given.mean = Eigen::Vector3d(0.5, -1.0, 2.0);
  given.var = Eigen::Vector3d(1.5, 0.7, 3.0);
  given.num_batches_tracked = 7;
  bnkit::RunningStats valid = given;
  EXPECT_TRUE(bnkit::grader::accepts(
      [&] { bnkit::update_running_stats(valid, Eigen::VectorXd::Ones(3), Eigen::VectorXd::Ones(3), 4); },
      "3 features into buffers of 3, count 4"));
  struct Refused {
    const char* call;
    Eigen::Index mean_len, var_len, count;
    std::optional<double> momentum;
  };
  for (const Refused& r : {Refused{"batch_mean of length 4 for buffers of 3", 4, 3, 4, 0.1},
                           Refused{"batch_var of length 2 for buffers of 3", 3, 2, 4, 0.1},
                           Refused{"count 1", 3, 3, 1, 0.1},
                           Refused{"count 0", 3, 3, 0, 0.1},
                           Refused{"count 1 with momentum None (the counter must not move first)", 3, 3, 1,
                                   std::nullopt}}) {
    SCOPED_TRACE(r.call);
    bnkit::RunningStats got = given;
    EXPECT_TRUE(bnkit::grader::throws_invalid_argument(
        [&] {
          bnkit::update_running_stats(got, Eigen::VectorXd::Ones(r.mean_len), Eigen::VectorXd::Ones(r.var_len),
                                      r.count, r.momentum);
        },
        std::vector<std::string>{}));
    expect_unchanged(got, given, r.call);
  }
}
