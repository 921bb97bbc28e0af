// Lesson 03 tests: running statistics with PyTorch's momentum convention.
#include "running_stats.hpp"
#include "lesson_test.hpp"

#include <string>

namespace {

using bnkit::grader::Case;
using bnkit::grader::matches_case;

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
    EXPECT_EQ(running.num_batches_tracked, static_cast<long>(c.scalar("num_batches_tracked" + s)))
        << "num_batches_tracked counts the batches seen so far";
  }
}

void replay_cases(const bnkit::grader::CaseFile& file, bool cumulative) {
  for (const Case& c : file.cases()) {
    if ((c.text("momentum") == "none") == cumulative) replay(c);
  }
}

}  // namespace

BNKIT_TEST(RunningStats, StartAtZeroMeanAndUnitVariance, 2) {
  const bnkit::RunningStats r = bnkit::make_running_stats(4);
  ASSERT_EQ(r.mean.size(), 4) << "running.mean should have num_features = 4 entries";
  ASSERT_EQ(r.var.size(), 4) << "running.var should have num_features = 4 entries";
  EXPECT_TRUE(r.mean.isZero()) << "running.mean should start at 0, got " << r.mean.transpose();
  EXPECT_TRUE(r.var.isOnes()) << "running.var should start at 1, got " << r.var.transpose()
                              << (r.var.isZero() ? "\n  " + bnkit::grader::looks_like("running_var_init_zero")
                                                 : std::string());
  EXPECT_EQ(r.num_batches_tracked, 0);
}

BNKIT_TEST(RunningStats, HandCheckedNumbers, 2) {
  // BN_SPEC.md: batch [[1,2],[3,4],[5,6]], momentum 0.1, from 0/1: mean [0.3, 0.4],
  // unbiased var 4 so running_var = 0.9 * 1 + 0.1 * 4 = 1.3.
  bnkit::RunningStats r = bnkit::make_running_stats(2);
  bnkit::update_running_stats(r, Eigen::Vector2d(3.0, 4.0), Eigen::Vector2d(8.0 / 3, 8.0 / 3), 3, 0.1);
  EXPECT_NEAR(r.mean[0], 0.3, 1e-12);
  EXPECT_NEAR(r.mean[1], 0.4, 1e-12);
  EXPECT_NEAR(r.var[0], 1.3, 1e-12) << "0.9 * 1 + 0.1 * (8/3 * 3/2)";
  EXPECT_NEAR(r.var[1], 1.3, 1e-12) << "0.9 * 1 + 0.1 * (8/3 * 3/2)";
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
  EXPECT_NEAR(bnkit::momentum_from_keras(0.99), 0.01, 1e-15) << "Keras 0.99 keeps 99% of the old value";
  EXPECT_NEAR(bnkit::momentum_from_keras(0.9), 0.1, 1e-15) << "CS231n's 0.9 is PyTorch's 0.1";
}

BNKIT_TEST(RunningStats, RejectsMismatchedLengths, 1) {
  using bnkit::grader::throws_invalid_argument;
  EXPECT_TRUE(bnkit::grader::accepts(
      [] {
        bnkit::RunningStats r = bnkit::make_running_stats(3);
        bnkit::update_running_stats(r, Eigen::VectorXd::Zero(3), Eigen::VectorXd::Ones(3), 2);
      },
      "3 features into buffers of 3, count 2"));
  EXPECT_TRUE(throws_invalid_argument(
      [] {
        bnkit::RunningStats r = bnkit::make_running_stats(4);
        bnkit::update_running_stats(r, Eigen::VectorXd::Zero(3), Eigen::VectorXd::Ones(3), 5);
      },
      "running_mean should contain 3 elements not 4"));
  EXPECT_TRUE(throws_invalid_argument(
      [] {
        bnkit::RunningStats r = bnkit::make_running_stats(3);
        bnkit::update_running_stats(r, Eigen::VectorXd::Zero(3), Eigen::VectorXd::Ones(2), 5);
      },
      "running_var should contain 2 elements not 3"));
}

BNKIT_TEST(RunningStats, RejectsCountBelowTwo, 1) {
  EXPECT_TRUE(bnkit::grader::throws_invalid_argument(
      [] {
        bnkit::RunningStats r = bnkit::make_running_stats(2);
        bnkit::update_running_stats(r, Eigen::VectorXd::Zero(2), Eigen::VectorXd::Zero(2), 1);
      },
      "count"));
}
