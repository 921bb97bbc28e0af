// Lesson 01 tests: per-feature mean, biased and unbiased variance of an (N,D) batch.
#include "batch_statistics.hpp"
#include "lesson_test.hpp"

#include <cmath>
#include <limits>

namespace {

using bnkit::grader::Case;
using bnkit::grader::Tolerance;
using bnkit::grader::matches_case;

const char* kLesson = "01_batch_statistics";

struct Stats {
  Eigen::VectorXd mean, var, var_unbiased;
};

Stats run(const Eigen::MatrixXd& x) {
  Stats s{Eigen::VectorXd(x.cols()), Eigen::VectorXd(x.cols()), Eigen::VectorXd(x.cols())};
  bnkit::batch_statistics(s.mean, s.var, s.var_unbiased, x);
  return s;
}

/// Every PyTorch case except the large-offset one (it has its own test and tolerance).
template <typename Check>
void for_each_torch_case(Check check) {
  for (const Case& c : bnkit::grader::torch_cases(kLesson).cases()) {
    if (c.name() == "offset_1e8") continue;
    SCOPED_TRACE("case " + c.name());
    bnkit::grader::guarded([&] { check(c, run(c.matrix("x"))); });
  }
}

}  // namespace

BNKIT_TEST(BatchStatistics, HandCheckedNumbers, 2) {
  // BN_SPEC.md: X = [[1,2],[3,4],[5,6]] has mean [3,4], biased var 8/3, unbiased var 4.
  Eigen::MatrixXd x(3, 2);
  x << 1, 2, 3, 4, 5, 6;
  const Stats s = run(x);
  EXPECT_NEAR(s.mean[0], 3.0, 1e-12);
  EXPECT_NEAR(s.mean[1], 4.0, 1e-12);
  EXPECT_NEAR(s.var[0], 8.0 / 3.0, 1e-12) << "biased variance: divide by N = 3";
  EXPECT_NEAR(s.var[1], 8.0 / 3.0, 1e-12) << "biased variance: divide by N = 3";
  EXPECT_NEAR(s.var_unbiased[0], 4.0, 1e-12) << "unbiased variance: divide by N - 1 = 2";
  EXPECT_NEAR(s.var_unbiased[1], 4.0, 1e-12) << "unbiased variance: divide by N - 1 = 2";
}

BNKIT_TEST(BatchStatistics, MeanMatchesPyTorch, 2) {
  for_each_torch_case([](const Case& c, const Stats& s) { EXPECT_TRUE(matches_case("mean", s.mean, c, "mean")); });
}

BNKIT_TEST(BatchStatistics, BiasedVarianceMatchesPyTorch, 3) {
  for_each_torch_case([](const Case& c, const Stats& s) { EXPECT_TRUE(matches_case("var", s.var, c, "var")); });
}

BNKIT_TEST(BatchStatistics, UnbiasedVarianceMatchesPyTorch, 2) {
  for_each_torch_case([](const Case& c, const Stats& s) {
    EXPECT_TRUE(matches_case("var_unbiased", s.var_unbiased, c, "var_unbiased"));
  });
}

BNKIT_TEST(BatchStatistics, SingleRowHasNaNUnbiasedVariance, 1) {
  // One sample: the biased variance is 0, the unbiased one is 0/0. This is why train-mode
  // BatchNorm refuses a batch of one (lesson 04).
  const Stats s = run(Eigen::MatrixXd::Constant(1, 4, 5.0));
  EXPECT_TRUE(s.var.isZero()) << "var of a single row should be 0, got " << s.var.transpose();
  for (Eigen::Index j = 0; j < 4; ++j) {
    EXPECT_TRUE(std::isnan(s.var_unbiased[j]))
        << "var_unbiased[" << j << "] should be NaN (0/0), got " << s.var_unbiased[j];
  }
}

BNKIT_TEST(BatchStatistics, StableAtLargeOffset, 3) {
  // Values near 1e8 with a spread near 1: E[x^2] and E[x]^2 are both ~1e16, where doubles
  // are 2 apart, so their difference loses every digit of a variance near 1.
  const Case& c = bnkit::grader::torch_cases(kLesson).at("offset_1e8");
  const Eigen::MatrixXd x = c.matrix("x");
  const Eigen::VectorXd want = c.vector("var");
  const Eigen::VectorXd naive =
      (x.array().square().colwise().mean() - x.array().colwise().mean().square()).transpose();
  ASSERT_GT((naive - want).cwiseAbs().maxCoeff(), 0.1)
      << "premise of this test: the one-pass formula must fail on this data";
  // Inputs near 1e8 carry ~1e-8 of rounding each, so allow 1e-6 relative here.
  const Eigen::VectorXd got = run(x).var;
  EXPECT_TRUE(matches_case("var", got, c, "var", Tolerance{1e-9, 1e-6}));
  // The one-pass formula's result here is rounding noise (multiples of 2, the spacing of
  // doubles near 1e16), so no exact fingerprint fits it; a two-pass answer is never off by
  // 0.1, so a miss that large is the cancellation.
  if ((got - want).cwiseAbs().maxCoeff() > 0.1) {
    ADD_FAILURE() << bnkit::grader::looks_like("naive_one_pass_variance");
  }
}

BNKIT_TEST(BatchStatistics, ReferenceRandomizedCases, 2) {
  bnkit::grader::for_each_case(bnkit::grader::reference_cases(kLesson).cases(), [](const Case& c) {
    const Stats s = run(c.matrix("x"));
    EXPECT_TRUE(matches_case("mean", s.mean, c, "mean"));
    EXPECT_TRUE(matches_case("var", s.var, c, "var"));
    EXPECT_TRUE(matches_case("var_unbiased", s.var_unbiased, c, "var_unbiased"));
  });
}

BNKIT_TEST(BatchStatistics, RejectsEmptyBatch, 1) {
  EXPECT_TRUE(bnkit::grader::accepts([] { run(Eigen::MatrixXd::Ones(1, 3)); }, "a batch of one row"));
  EXPECT_TRUE(bnkit::grader::throws_invalid_argument([] { run(Eigen::MatrixXd(0, 3)); }, "[0, 3]"));
}

BNKIT_TEST(BatchStatistics, RejectsOutputsOfWrongLength, 1) {
  const Eigen::MatrixXd x = Eigen::MatrixXd::Ones(4, 3);
  Eigen::VectorXd good(3), bad(4);
  using bnkit::grader::throws_invalid_argument;
  EXPECT_TRUE(bnkit::grader::accepts([&] { bnkit::batch_statistics(good, good, good, x); },
                                     "outputs of length 3 for 3 features"));
  EXPECT_TRUE(throws_invalid_argument([&] { bnkit::batch_statistics(bad, good, good, x); },
                                      "mean should contain 3 elements not 4"));
  EXPECT_TRUE(throws_invalid_argument([&] { bnkit::batch_statistics(good, bad, good, x); },
                                      "var should contain 3 elements not 4"));
  EXPECT_TRUE(throws_invalid_argument([&] { bnkit::batch_statistics(good, good, bad, x); },
                                      "var_unbiased should contain 3 elements not 4"));
}
