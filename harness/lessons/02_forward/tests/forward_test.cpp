// Lesson 02 tests: train-mode forward, y = gamma * (x - mean) / sqrt(var + eps) + beta.
#include "forward.hpp"
#include "lesson_test.hpp"

#include <cmath>
#include <string>
#include <utility>
#include <vector>

namespace {

using bnkit::grader::Case;
using bnkit::grader::Origin;
using bnkit::grader::Tolerance;
using bnkit::grader::matches_case;
using bnkit::grader::tensors_match;
using bnkit::grader::to_tensor;
using bnkit::grader::kCancellation;
using bnkit::grader::kColumnMean;
using bnkit::grader::kColumnStd;
using bnkit::grader::kHandChecked;
using bnkit::grader::kLargeOffset;
using bnkit::grader::kShiftAndScale;
using bnkit::grader::kUnchanged;

const char* kLesson = "02_forward";

/// The tolerance for a case's outputs: kLargeOffset for the large-offset cases.
Tolerance tolerance_for(const Case& c) {
  return c.name().rfind("offset_", 0) == 0 ? kLargeOffset : Tolerance::forward();
}

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

/// Cases that a test of their own uses (text "for_test"), not the general loops.
bool general(const Case& c) { return !c.has_text("for_test"); }

template <typename Check>
void for_each_case(const bnkit::grader::CaseFile& file, Check check) {
  for (const Case& c : file.cases()) {
    if (!general(c)) continue;
    SCOPED_TRACE("case " + c.name());
    bnkit::grader::guarded([&] { check(c, run(c)); });
  }
}

/// A (D) vector, or an expression that makes one, as a tensor for tensors_match.
bnkit::Tensor vec(const Eigen::VectorXd& v) { return to_tensor(v); }

/// y and a cache holding values no call would write, to see whether a call wrote them.
Forward sentinels(Eigen::Index y_rows, Eigen::Index y_cols) {
  bnkit::ForwardCache stale;
  stale.xhat = Eigen::MatrixXd::Constant(2, 2, 9.5);
  stale.mean = Eigen::VectorXd::Constant(5, -4.0);
  stale.rstd = Eigen::VectorXd::Constant(1, 0.25);
  return {Eigen::MatrixXd::Constant(y_rows, y_cols, -123.0), stale};
}

/// y and every field of the cache exactly as they were before `call` (a refused call).
void expect_unchanged(const Forward& got, const Forward& given, const std::string& call) {
  const Origin before{"the outputs as they were before the call: a refused call writes nothing", call, std::nullopt};
  const Tolerance same = kUnchanged;
  EXPECT_TRUE(tensors_match("y after the refused call", to_tensor(got.y), to_tensor(given.y), same, before));
  EXPECT_TRUE(tensors_match("cache.xhat after the refused call", to_tensor(got.cache.xhat),
                            to_tensor(given.cache.xhat), same, before));
  EXPECT_TRUE(tensors_match("cache.mean after the refused call", vec(got.cache.mean), vec(given.cache.mean), same,
                            before));
  EXPECT_TRUE(tensors_match("cache.rstd after the refused call", vec(got.cache.rstd), vec(given.cache.rstd), same,
                            before));
}

/// y as the one-pass variance E[x^2] - E[x]^2 would make it (the large-offset premise).
Eigen::MatrixXd one_pass_y(const Case& c) {
  const Eigen::MatrixXd x = c.matrix("x");
  const Eigen::RowVectorXd mean = x.colwise().mean();
  const Eigen::RowVectorXd var = x.array().square().colwise().mean() - mean.array().square();
  const Eigen::RowVectorXd rstd = (var.array() + c.scalar("eps")).rsqrt();
  const Eigen::MatrixXd xhat = (x.rowwise() - mean).array().rowwise() * rstd.array();
  return (xhat * c.vector("gamma").asDiagonal()).rowwise() + c.vector("beta").transpose();
}

}  // namespace

BNKIT_TEST(BatchNormForward, HandCheckedNumbers, 2) {
  // BN_SPEC.md: column 0 of [[1,2],[3,4],[5,6]] has mean 3, biased var 8/3, so
  // y[0,0] = (1 - 3) / sqrt(8/3 + 1e-5) = -1.22474 with gamma = 1, beta = 0; the middle row
  // sits exactly on the mean. Column 1 is column 0 shifted by 1: the same y.
  Eigen::MatrixXd x(3, 2);
  x << 1, 2, 3, 4, 5, 6;
  const Forward f = run(x, Eigen::VectorXd::Ones(2), Eigen::VectorXd::Zero(2), 1e-5);
  const double a = 2.0 / std::sqrt(8.0 / 3.0 + 1e-5);
  Eigen::MatrixXd want(3, 2);
  want << -a, -a, 0, 0, a, a;
  EXPECT_TRUE(tensors_match("y", to_tensor(f.y), to_tensor(want), kHandChecked,
                            {"hand-checked (BN_SPEC.md)", "", std::nullopt}));
}

BNKIT_TEST(BatchNormForward, OutputMatchesPyTorch, 4) {
  for_each_case(bnkit::grader::torch_cases(kLesson), [](const Case& c, const Forward& f) {
    EXPECT_TRUE(matches_case("y", f.y, c, "y", tolerance_for(c)));
  });
}

BNKIT_TEST(BatchNormForward, CacheMatchesPyTorch, 3) {
  for_each_case(bnkit::grader::torch_cases(kLesson), [](const Case& c, const Forward& f) {
    EXPECT_TRUE(matches_case("cache.mean", f.cache.mean, c, "mean", tolerance_for(c)));
    EXPECT_TRUE(matches_case("cache.rstd", f.cache.rstd, c, "rstd", tolerance_for(c)));
    EXPECT_TRUE(matches_case("cache.xhat", f.cache.xhat, c, "xhat", tolerance_for(c)));
  });
}

BNKIT_TEST(BatchNormForward, OutputHasMeanBetaAndStdGamma, 2) {
  // Invariant: every column of y has mean beta and (biased) std gamma * sqrt(var/(var+eps));
  // with a spread near 3 that factor is 1 to within 1e-6. Those two alone would pass any
  // fixed pattern scaled by gamma and shifted by beta, so y must also depend on x: with
  // gamma > 0, each column of y is an increasing affine map of the same column of x, so
  // their correlation is exactly 1.
  for (std::uint64_t seed : {11u, 12u, 13u}) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    const Eigen::MatrixXd x = bnkit::grader::random_normal(32, 5, seed, 2.0, 3.0);
    const Eigen::VectorXd gamma = bnkit::grader::random_uniform(5, seed + 100, 0.5, 2.0);
    const Eigen::VectorXd beta = bnkit::grader::random_uniform(5, seed + 200, -1.0, 1.0);
    const Forward f = run(x, gamma, beta, 1e-5);
    const Origin origin{"the invariant mean(y) = beta, std(y) = gamma", "", seed};
    const Eigen::VectorXd mean = f.y.colwise().mean().transpose();
    const Eigen::MatrixXd yc = f.y.rowwise() - mean.transpose();
    const Eigen::MatrixXd xc = x.rowwise() - x.colwise().mean();
    const Eigen::VectorXd std = (yc.array().square().colwise().mean().sqrt()).transpose();
    EXPECT_TRUE(tensors_match("column means of y", vec(mean), vec(beta), kColumnMean, origin));
    EXPECT_TRUE(tensors_match("column stds of y", vec(std), vec(gamma), kColumnStd, origin));
    const Eigen::VectorXd correlation =
        ((xc.array() * yc.array()).colwise().sum() /
         (xc.array().square().colwise().sum() * yc.array().square().colwise().sum()).sqrt())
            .transpose();
    EXPECT_TRUE(tensors_match("correlation of each column of y with the same column of x", vec(correlation),
                              vec(Eigen::VectorXd::Ones(5)), kCancellation,
                              {"the invariant: y = gamma * xhat + beta follows x (gamma > 0)", "", seed}));
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
  EXPECT_TRUE(tensors_match("y of (4x + 7)", to_tensor(b.y), to_tensor(a.y), kShiftAndScale,
                            {"the invariant BN(4x + 7) = BN(x)", "", seed}));
}

BNKIT_TEST(BatchNormForward, ReferenceRandomizedCases, 2) {
  for_each_case(bnkit::grader::reference_cases(kLesson), [](const Case& c, const Forward& f) {
    EXPECT_TRUE(matches_case("y", f.y, c, "y"));
    EXPECT_TRUE(matches_case("cache.rstd", f.cache.rstd, c, "rstd"));
  });
}

BNKIT_TEST(BatchNormForward, StableAtLargeOffset, 2) {
  // Features near 1e5 and -5e4 with a spread near 1, as un-normalised activations can be.
  // The variance needs the two passes of lesson 01 (mean first, then squared deviations).
  for (const Case& c : bnkit::grader::reference_cases(kLesson).cases()) {
    if (general(c)) continue;
    SCOPED_TRACE("case " + c.name());
    ASSERT_FALSE(tensors_match("y", to_tensor(one_pass_y(c)), c.tensor("y"), kLargeOffset, {}))
        << "premise of this test: the one-pass formula must fail on this data";
    bnkit::grader::guarded([&] {
      const Forward f = run(c);
      EXPECT_TRUE(matches_case("y", f.y, c, "y", kLargeOffset));
      EXPECT_TRUE(matches_case("cache.mean", f.cache.mean, c, "mean", kLargeOffset));
      EXPECT_TRUE(matches_case("cache.rstd", f.cache.rstd, c, "rstd", kLargeOffset));
      EXPECT_TRUE(matches_case("cache.xhat", f.cache.xhat, c, "xhat", kLargeOffset));
    });
  }
}

// The contract fixes these messages word for word; two sizes each, so the numbers in them
// must come from the call.
BNKIT_TEST(BatchNormForward, RejectsBatchOfOne, 2) {
  EXPECT_TRUE(bnkit::grader::accepts(
      [] { run(Eigen::MatrixXd::Random(2, 3), Eigen::VectorXd::Ones(3), Eigen::VectorXd::Zero(3), 1e-5); },
      "a batch of two"));
  for (Eigen::Index d : {3, 5}) {
    const Eigen::MatrixXd x = Eigen::MatrixXd::Ones(1, d);
    EXPECT_TRUE(bnkit::grader::throws_invalid_argument(
        [&] { run(x, Eigen::VectorXd::Ones(d), Eigen::VectorXd::Zero(d), 1e-5); },
        "Expected more than 1 value per channel when training, got input size " + bnkit::shape_string({1, d})));
  }
}

BNKIT_TEST(BatchNormForward, RejectsParametersOfWrongLength, 1) {
  using bnkit::grader::throws_invalid_argument;
  struct Sizes {
    Eigen::Index n, d, gamma_len, beta_len, y_rows;
  };
  for (const Sizes& s : {Sizes{5, 3, 4, 2, 4}, Sizes{7, 6, 2, 9, 3}}) {
    const Eigen::MatrixXd x = Eigen::MatrixXd::Random(s.n, s.d);
    const Eigen::VectorXd gamma = Eigen::VectorXd::Ones(s.d), beta = Eigen::VectorXd::Zero(s.d);
    const std::string d = std::to_string(s.d);
    EXPECT_TRUE(bnkit::grader::accepts([&] { run(x, gamma, beta, 1e-5); },
                                       "gamma and beta of length " + d + " for " + d + " features"));
    EXPECT_TRUE(throws_invalid_argument(
        [&] { run(x, Eigen::VectorXd::Ones(s.gamma_len), beta, 1e-5); },
        "gamma should contain " + d + " elements not " + std::to_string(s.gamma_len)));
    EXPECT_TRUE(throws_invalid_argument(
        [&] { run(x, gamma, Eigen::VectorXd::Zero(s.beta_len), 1e-5); },
        "beta should contain " + d + " elements not " + std::to_string(s.beta_len)));
    Eigen::MatrixXd y(s.y_rows, s.d);
    bnkit::ForwardCache cache;
    EXPECT_TRUE(throws_invalid_argument([&] { bnkit::batchnorm_forward(y, cache, x, gamma, beta); },
                                        "y should have shape " + bnkit::shape_string({s.n, s.d}) + " not " +
                                            bnkit::shape_string({s.y_rows, s.d})));
  }
}

BNKIT_TEST(BatchNormForward, RejectedCallsChangeNoOutput, 1) {
  // The contract: check everything, then write. Every refused call leaves y and the cache
  // as they were (here: values no call would write). Code that refuses everything earns
  // nothing here.
  const Eigen::MatrixXd x = bnkit::grader::random_normal(5, 3, 41, 1.0, 2.0);
  const Eigen::VectorXd gamma = Eigen::VectorXd::Constant(3, 1.5), beta = Eigen::VectorXd::Constant(3, 0.5);
  Forward valid = sentinels(5, 3);
  EXPECT_TRUE(bnkit::grader::accepts([&] { bnkit::batchnorm_forward(valid.y, valid.cache, x, gamma, beta); },
                                     "a 5x3 batch with gamma, beta of length 3 and y of shape [5, 3]"));
  struct Refused {
    const char* call;
    Eigen::Index rows, gamma_len, beta_len, y_rows;
  };
  for (const Refused& r : {Refused{"gamma of length 4 for 3 features", 5, 4, 3, 5},
                           Refused{"beta of length 2 for 3 features", 5, 3, 2, 5},
                           Refused{"y of shape [4, 3] for x of shape [5, 3]", 5, 3, 3, 4},
                           Refused{"a batch of one, x of shape [1, 3]", 1, 3, 3, 1}}) {
    SCOPED_TRACE(r.call);
    const Eigen::MatrixXd batch = x.topRows(r.rows);
    const Eigen::VectorXd g = Eigen::VectorXd::Constant(r.gamma_len, 1.5), b = Eigen::VectorXd::Constant(r.beta_len, 0.5);
    const Forward given = sentinels(r.y_rows, 3);
    Forward got = given;
    EXPECT_TRUE(bnkit::grader::throws_invalid_argument(
        [&] { bnkit::batchnorm_forward(got.y, got.cache, batch, g, b); }, std::vector<std::string>{}));
    expect_unchanged(got, given, r.call);
  }
}
