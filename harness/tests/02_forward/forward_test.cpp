// Lesson 02 tests: train-mode forward, y = gamma * (x - mean) / sqrt(var + eps) + beta.
#include "forward.hpp"
#include "lesson_test.hpp"

#include <cmath>

namespace {

using bnkit::grader::Case;
using bnkit::grader::Tolerance;
using bnkit::grader::matches_case;

const char* kLesson = "02_forward";

struct Forward {
  Eigen::MatrixXd y;
  bnkit::ForwardCache cache;
};

Forward run(const Eigen::MatrixXd& x, const Eigen::VectorXd& gamma, const Eigen::VectorXd& beta,
            double eps) {
  Forward f{Eigen::MatrixXd(x.rows(), x.cols()), {}};
  bnkit::batchnorm_forward(f.y, f.cache, x, gamma, beta, eps);
  return f;
}

Forward run(const Case& c) {
  return run(c.matrix("x"), c.vector("gamma"), c.vector("beta"), c.scalar("eps"));
}

template <typename Check>
void for_each_case(const bnkit::grader::CaseFile& file, Check check) {
  bnkit::grader::for_each_case(file.cases(), [&](const Case& c) { check(c, run(c)); });
}

}  // namespace

BNKIT_TEST(BatchNormForward, HandCheckedNumbers, 2) {
  // BN_SPEC.md: column 0 of [[1,2],[3,4],[5,6]] has mean 3, biased var 8/3, so
  // y[0,0] = (1 - 3) / sqrt(8/3 + 1e-5) = -1.22474 with gamma = 1, beta = 0.
  Eigen::MatrixXd x(3, 2);
  x << 1, 2, 3, 4, 5, 6;
  const Forward f = run(x, Eigen::VectorXd::Ones(2), Eigen::VectorXd::Zero(2), 1e-5);
  EXPECT_NEAR(f.y(0, 0), -1.22474, 1e-5);
  EXPECT_NEAR(f.y(1, 0), 0.0, 1e-12) << "the middle row sits exactly on the mean";
  EXPECT_NEAR(f.y(2, 1), 1.22474, 1e-5);
}

BNKIT_TEST(BatchNormForward, OutputMatchesPyTorch, 4) {
  for_each_case(bnkit::grader::torch_cases(kLesson),
                [](const Case& c, const Forward& f) { EXPECT_TRUE(matches_case("y", f.y, c, "y")); });
}

BNKIT_TEST(BatchNormForward, CacheMatchesPyTorch, 3) {
  for_each_case(bnkit::grader::torch_cases(kLesson), [](const Case& c, const Forward& f) {
    EXPECT_TRUE(matches_case("cache.mean", f.cache.mean, c, "mean"));
    EXPECT_TRUE(matches_case("cache.rstd", f.cache.rstd, c, "rstd"));
    EXPECT_TRUE(matches_case("cache.xhat", f.cache.xhat, c, "xhat"));
  });
}

BNKIT_TEST(BatchNormForward, OutputHasMeanBetaAndStdGamma, 2) {
  // Invariant: every column of y has mean beta and (biased) std gamma * sqrt(var/(var+eps));
  // with a spread near 3 that factor is 1 to within 1e-6.
  for (std::uint64_t seed : {11u, 12u, 13u}) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    const Eigen::MatrixXd x = bnkit::grader::random_normal(32, 5, seed, 2.0, 3.0);
    const Eigen::VectorXd gamma = bnkit::grader::random_uniform(5, seed + 100, 0.5, 2.0);
    const Eigen::VectorXd beta = bnkit::grader::random_uniform(5, seed + 200, -1.0, 1.0);
    const Forward f = run(x, gamma, beta, 1e-5);
    const bnkit::grader::Origin origin{"the invariant mean(y) = beta, std(y) = gamma", "", seed};
    const Eigen::VectorXd mean = f.y.colwise().mean().transpose();
    const Eigen::VectorXd std =
        (f.y.rowwise() - mean.transpose()).array().square().colwise().mean().sqrt().transpose();
    EXPECT_TRUE(bnkit::grader::tensors_match("column means of y", bnkit::grader::to_tensor(mean),
                                             bnkit::grader::to_tensor(beta), {1e-12, 1e-9}, origin));
    EXPECT_TRUE(bnkit::grader::tensors_match("column stds of y", bnkit::grader::to_tensor(std),
                                             bnkit::grader::to_tensor(gamma), {1e-12, 1e-5}, origin));
  }
}

BNKIT_TEST(BatchNormForward, IgnoresShiftAndScaleOfInput, 1) {
  // Invariant: adding a constant to a feature, or scaling it by a positive factor, does not
  // change xhat (up to eps). This is why a Linear layer's bias before BN is wasted.
  const std::uint64_t seed = 21;
  const Eigen::MatrixXd x = bnkit::grader::random_normal(16, 3, seed);
  const Eigen::MatrixXd moved = (x * 4.0).array() + 7.0;
  const Forward a = run(x, Eigen::VectorXd::Ones(3), Eigen::VectorXd::Zero(3), 1e-12);
  const Forward b = run(moved, Eigen::VectorXd::Ones(3), Eigen::VectorXd::Zero(3), 1e-12);
  EXPECT_TRUE(bnkit::grader::tensors_match(
      "y of (4x + 7)", bnkit::grader::to_tensor(b.y), bnkit::grader::to_tensor(a.y), {1e-9, 1e-9},
      {"the invariant BN(4x + 7) = BN(x)", "", seed}));
}

BNKIT_TEST(BatchNormForward, ReferenceRandomizedCases, 2) {
  for_each_case(bnkit::grader::reference_cases(kLesson), [](const Case& c, const Forward& f) {
    EXPECT_TRUE(matches_case("y", f.y, c, "y"));
    EXPECT_TRUE(matches_case("cache.rstd", f.cache.rstd, c, "rstd"));
  });
}

BNKIT_TEST(BatchNormForward, RejectsBatchOfOne, 2) {
  EXPECT_TRUE(bnkit::grader::accepts(
      [] { run(Eigen::MatrixXd::Random(2, 3), Eigen::VectorXd::Ones(3), Eigen::VectorXd::Zero(3), 1e-5); },
      "a batch of two"));
  const Eigen::MatrixXd x = Eigen::MatrixXd::Ones(1, 3);
  EXPECT_TRUE(bnkit::grader::throws_invalid_argument(
      [&] { run(x, Eigen::VectorXd::Ones(3), Eigen::VectorXd::Zero(3), 1e-5); },
      "Expected more than 1 value per channel when training, got input size [1, 3]"));
}

BNKIT_TEST(BatchNormForward, RejectsParametersOfWrongLength, 1) {
  const Eigen::MatrixXd x = Eigen::MatrixXd::Random(5, 3);
  using bnkit::grader::throws_invalid_argument;
  EXPECT_TRUE(bnkit::grader::accepts([&] { run(x, Eigen::VectorXd::Ones(3), Eigen::VectorXd::Zero(3), 1e-5); },
                                     "gamma and beta of length 3 for 3 features"));
  EXPECT_TRUE(throws_invalid_argument(
      [&] { run(x, Eigen::VectorXd::Ones(4), Eigen::VectorXd::Zero(3), 1e-5); },
      "gamma should contain 3 elements not 4"));
  EXPECT_TRUE(throws_invalid_argument(
      [&] { run(x, Eigen::VectorXd::Ones(3), Eigen::VectorXd::Zero(2), 1e-5); },
      "beta should contain 3 elements not 2"));
  Eigen::MatrixXd y(4, 3);
  bnkit::ForwardCache cache;
  EXPECT_TRUE(throws_invalid_argument(
      [&] { bnkit::batchnorm_forward(y, cache, x, Eigen::VectorXd::Ones(3), Eigen::VectorXd::Zero(3)); },
      "y should have shape [5, 3] not [4, 3]"));
}
