// Lesson 02 hidden tests (instructor mode): inputs drawn fresh from the run's seed, expected
// values from the reference solution (the oracle). Shapes and values are unlike the visible
// cases, so an answer that only fits the visible data earns nothing here.
#include "forward.hpp"
#include "lesson_test.hpp"

#include "bnkit/todo.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>
#include <string>

namespace {

using bnkit::grader::Tolerance;

using bnkit::grader::Draw;
using bnkit::grader::case_seed;
using bnkit::grader::hidden_case;

struct Forward {
  Eigen::MatrixXd y;
  bnkit::ForwardCache cache;
};

/// A cache that holds stale values of the wrong sizes: the contract says forward resizes
/// and fills it, so nothing of this may survive.
bnkit::ForwardCache stale_cache(Eigen::Index n, Eigen::Index d) {
  bnkit::ForwardCache c;
  c.xhat = Eigen::MatrixXd::Constant(n + 1, d + 2, 9.5);
  c.mean = Eigen::VectorXd::Constant(d + 3, -4.0);
  c.rstd = Eigen::VectorXd::Constant(1, 0.25);
  return c;
}

Forward run(const Eigen::MatrixXd& x, const Eigen::VectorXd& gamma, const Eigen::VectorXd& beta,
            double eps) {
  Forward f{Eigen::MatrixXd::Constant(x.rows(), x.cols(), -123.0), stale_cache(x.rows(), x.cols())};
  bnkit::batchnorm_forward(f.y, f.cache, x, gamma, beta, eps);
  return f;
}

/// Compares y and every field of the cache.
void expect_same_outputs(const Forward& got, const Forward& want, Tolerance tol,
                         const bnkit::grader::Origin& origin, const std::string& suffix = "") {
  using bnkit::grader::tensors_match;
  using bnkit::grader::to_tensor;
  EXPECT_TRUE(tensors_match("y" + suffix, to_tensor(got.y), to_tensor(want.y), tol, origin));
  EXPECT_TRUE(tensors_match("cache.mean" + suffix, to_tensor(got.cache.mean), to_tensor(want.cache.mean), tol, origin));
  EXPECT_TRUE(tensors_match("cache.rstd" + suffix, to_tensor(got.cache.rstd), to_tensor(want.cache.rstd), tol, origin));
  EXPECT_TRUE(tensors_match("cache.xhat" + suffix, to_tensor(got.cache.xhat), to_tensor(want.cache.xhat), tol, origin));
}

/// Runs the case through the code under test and through the reference; compares all.
void expect_like_reference(const Eigen::MatrixXd& x, const Eigen::VectorXd& gamma,
                           const Eigen::VectorXd& beta, double eps, const std::string& name,
                           std::uint64_t seed, Tolerance tol) {
  const Forward want = bnkit::grader::with_oracle([&] { return run(x, gamma, beta, eps); });
  const Forward got = run(x, gamma, beta, eps);
  expect_same_outputs(got, want, tol, {"the reference solution (hidden case)", name, seed});
}

std::string case_name(const std::string& kind, const Eigen::MatrixXd& x, double eps) {
  std::string e = eps == 1e-5 ? "1e-5" : eps == 1e-3 ? "1e-3" : "0.1";
  return kind + "_" + std::to_string(x.rows()) + "x" + std::to_string(x.cols()) + "_eps" + e;
}

}  // namespace

// Catches: the unbiased variance normalising, eps outside the square root or ignored, the
// affine step forgotten or with gamma/beta swapped, statistics along the wrong axis (every
// other case is square, N == D), a cache that is not resized, and hard-coded shapes.
BNKIT_HIDDEN_TEST(HiddenBatchNormForward, RandomShapesMatchReference, 4) {
  for (int k = 0; k < 8; ++k) {
    const std::uint64_t seed = case_seed(21, k);
    Draw draw(seed);
    const Eigen::Index n = k % 2 == 1 ? draw.integer(2, 40) : draw.integer(2, 64);
    const Eigen::Index d = k % 2 == 1 ? n : draw.integer(1, 40);  // odd cases square
    const Eigen::MatrixXd x = draw.batch(n, d, 1e-2, 50.0, 1e-3, 1e3);
    const Eigen::VectorXd gamma = draw.gamma(d), beta = draw.beta(d);
    const double eps = draw.eps();
    const std::string name = case_name("random", x, eps);
    hidden_case(name, seed, [&] { expect_like_reference(x, gamma, beta, eps, name, seed, Tolerance::forward()); });
  }
}

// Catches: a one-pass variance E[x^2] - E[x]^2 inside the forward pass, which cancels when
// the mean (1e4..1e5) dwarfs the spread (0.05..0.5).
BNKIT_HIDDEN_TEST(HiddenBatchNormForward, LargeOffsetsStayStable, 2) {
  for (int k = 0; k < 6; ++k) {
    const std::uint64_t seed = case_seed(22, k);
    Draw draw(seed);
    const Eigen::Index n = draw.integer(2, 64), d = draw.integer(1, 40);
    const Eigen::MatrixXd x = draw.batch(n, d, 1e4, 1e5, 0.05, 0.5);
    const Eigen::VectorXd gamma = draw.gamma(d), beta = draw.beta(d);
    const double eps = k < 3 ? 1e-5 : draw.eps();
    const std::string name = case_name("offset", x, eps);
    hidden_case(name, seed, [&] { expect_like_reference(x, gamma, beta, eps, name, seed, bnkit::grader::kLargeOffsetRounding); });
  }
}

// Catches: eps mishandled where it matters most: features constant over the batch (var 0,
// so rstd = 1/sqrt(eps), no division by zero) and tiny spreads comparable to eps; also
// batches of two rows and a single feature.
BNKIT_HIDDEN_TEST(HiddenBatchNormForward, TinySpreadsAndSmallBatches, 2) {
  for (int k = 0; k < 6; ++k) {
    const std::uint64_t seed = case_seed(23, k);
    Draw draw(seed);
    const Eigen::Index n = k % 3 == 0 ? 2 : draw.integer(2, 64);
    const Eigen::Index d = k % 3 == 1 ? 1 : draw.integer(2, 40);
    Eigen::MatrixXd x = draw.batch(n, d, 1e-2, 1e2, 1e-4, 1e-1);
    for (Eigen::Index j = 0; j < d; j += 3) x.col(j).setConstant(x(0, j));  // constant features
    const Eigen::VectorXd gamma = draw.gamma(d), beta = draw.beta(d);
    const double eps = draw.eps();
    const std::string name = case_name("tiny_spread", x, eps);
    hidden_case(name, seed, [&] { expect_like_reference(x, gamma, beta, eps, name, seed, Tolerance::forward()); });
  }
}

// Catches: missing checks (gamma, beta, y, a batch of one), wrong messages, checks that
// throw on valid input, and y or the cache written before a check throws. Each call has
// at most one problem, so the message is fixed by the contract.
BNKIT_HIDDEN_TEST(HiddenBatchNormForward, BadInputThrowsLikeReference, 2) {
  for (int k = 0; k < 7; ++k) {
    const std::uint64_t seed = case_seed(24, k);
    Draw draw(seed);
    const Eigen::Index d = draw.integer(1, 40), n = draw.integer(2, 64);
    const Eigen::Index off_by = draw.integer(1, std::min<Eigen::Index>(d, 5));
    const Eigen::Index wrong = draw.sign() > 0 ? d + off_by : d - off_by;  // 0..d-1 or d+1..d+5
    Eigen::Index rows = n, gamma_len = d, beta_len = d, y_rows = n, y_cols = d;
    std::string name;
    switch (k) {
      case 0: gamma_len = wrong; name = "gamma_of_wrong_length"; break;
      case 1: beta_len = wrong; name = "beta_of_wrong_length"; break;
      case 2: y_rows = n + 1; name = "y_with_wrong_rows"; break;
      case 3: y_cols = wrong; name = "y_with_wrong_columns"; break;
      case 4: rows = y_rows = 1; name = "batch_of_one"; break;
      case 5: rows = y_rows = 2; name = "batch_of_two_is_valid"; break;
      default: name = "valid"; break;
    }
    name += "_d" + std::to_string(d);
    hidden_case(name, seed, [&] {
      const Eigen::MatrixXd x = draw.batch(rows, d, 1e-2, 1e2, 1e-2, 1e2);
      const Eigen::VectorXd gamma = draw.gamma(gamma_len), beta = draw.beta(beta_len);
      const double eps = draw.eps();
      // y and the cache hold sentinels: after a throw they must be as the reference left them.
      const Forward given{Eigen::MatrixXd::Constant(y_rows, y_cols, -123.0), stale_cache(rows, d)};
      Forward want = given, got = given;
      const bnkit::grader::Ends ends = bnkit::grader::run_on_both(
          want, got, [&](Forward& f) { bnkit::batchnorm_forward(f.y, f.cache, x, gamma, beta, eps); });
      const auto n_str = [](Eigen::Index v) { return std::to_string(v); };
      EXPECT_TRUE(ends.alike("batchnorm_forward on x of shape [" + n_str(x.rows()) + ", " + n_str(x.cols()) +
                             "], gamma of length " + n_str(gamma_len) + ", beta of length " + n_str(beta_len) +
                             ", y of shape [" + n_str(y_rows) + ", " + n_str(y_cols) + "]"));
      expect_same_outputs(got, want, Tolerance::forward(),
                          {"the reference solution (hidden case)", name, seed},
                          ends.expected.threw ? " after the throw" : "");
    });
  }
}
