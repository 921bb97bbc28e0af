// Lesson 01 hidden tests (instructor mode): inputs drawn fresh from the run's seed, expected
// values from the reference solution (the oracle). Shapes and values are unlike the visible
// cases, so an answer that only fits the visible data earns nothing here.
#include "batch_statistics.hpp"
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

struct Stats {
  Eigen::VectorXd mean, var, var_unbiased;
};

Stats run(const Eigen::MatrixXd& x) {
  Stats s{Eigen::VectorXd(x.cols()), Eigen::VectorXd(x.cols()), Eigen::VectorXd(x.cols())};
  bnkit::batch_statistics(s.mean, s.var, s.var_unbiased, x);
  return s;
}

/// Runs x through the code under test and through the reference; compares every output.
void expect_like_reference(const Eigen::MatrixXd& x, const std::string& name, std::uint64_t seed,
                           Tolerance tol) {
  const Stats want = bnkit::grader::with_oracle([&] { return run(x); });
  const Stats got = run(x);
  const bnkit::grader::Origin origin{"the reference solution (hidden case)", name, seed};
  using bnkit::grader::tensors_match;
  using bnkit::grader::to_tensor;
  EXPECT_TRUE(tensors_match("mean", to_tensor(got.mean), to_tensor(want.mean), tol, origin));
  EXPECT_TRUE(tensors_match("var", to_tensor(got.var), to_tensor(want.var), tol, origin));
  EXPECT_TRUE(tensors_match("var_unbiased", to_tensor(got.var_unbiased), to_tensor(want.var_unbiased),
                            tol, origin));
}

std::string shape_name(const Eigen::MatrixXd& x) {
  return std::to_string(x.rows()) + "x" + std::to_string(x.cols());
}

}  // namespace

// Catches: a wrong divisor for either variance, statistics along the wrong axis (every
// other case is square, N == D, where per-row statistics have the right length and so slip
// past a size check), code that assumes the visible shapes, and wrong indexing.
BNKIT_HIDDEN_TEST(HiddenBatchStatistics, RandomShapesMatchReference, 3) {
  for (int k = 0; k < 8; ++k) {
    const std::uint64_t seed = case_seed(11, k);
    Draw draw(seed);
    const Eigen::Index n = k % 2 == 1 ? draw.integer(2, 40) : draw.integer(2, 64);
    const Eigen::Index d = k % 2 == 1 ? n : draw.integer(1, 40);  // odd cases square
    const Eigen::MatrixXd x = draw.batch(n, d, 1e-2, 50.0, 1e-3, 1e3);
    const std::string name = "random_" + shape_name(x);
    hidden_case(name, seed, [&] { expect_like_reference(x, name, seed, Tolerance::forward()); });
  }
}

// Catches: the one-pass E[x^2] - E[x]^2 (and float accumulation), which cancels
// catastrophically when the mean (1e4..1e5) dwarfs the spread (1e-3..1e-2).
BNKIT_HIDDEN_TEST(HiddenBatchStatistics, LargeOffsetsStayStable, 3) {
  for (int k = 0; k < 6; ++k) {
    const std::uint64_t seed = case_seed(12, k);
    Draw draw(seed);
    const Eigen::Index n = draw.integer(2, 64), d = draw.integer(1, 40);
    const Eigen::MatrixXd x = draw.batch(n, d, 1e4, 1e5, 1e-3, 1e-2);
    const std::string name = "offset_" + shape_name(x);
    hidden_case(name, seed, [&] { expect_like_reference(x, name, seed, bnkit::grader::kLargeOffsetRounding); });
  }
}

// Catches: special cases gone wrong: one row (var 0, var_unbiased NaN), one feature, two
// rows, constant features (var exactly 0, no NaN from a 0/0 of one's own), and features
// whose scales differ by 1e6 in one batch.
BNKIT_HIDDEN_TEST(HiddenBatchStatistics, EdgeShapesMatchReference, 2) {
  for (int k = 0; k < 6; ++k) {
    const std::uint64_t seed = case_seed(13, k);
    Draw draw(seed);
    Eigen::MatrixXd x;
    std::string name;
    switch (k) {
      case 0: x = draw.batch(1, draw.integer(1, 40), 1e-2, 1e3, 1e-3, 1e3); name = "one_row"; break;
      case 1: x = draw.batch(draw.integer(2, 64), 1, 1e-2, 1e3, 1e-3, 1e3); name = "one_feature"; break;
      case 2: x = draw.batch(2, draw.integer(1, 40), 1e-2, 1e3, 1e-3, 1e3); name = "two_rows"; break;
      case 3: {  // constant features interleaved with varying ones
        x = draw.batch(draw.integer(2, 64), draw.integer(2, 40), 1e-2, 1e3, 1e-3, 1e3);
        for (Eigen::Index j = 0; j < x.cols(); j += 2) x.col(j).setConstant(x(0, j));
        name = "constant_features";
        break;
      }
      case 4: {  // one batch, feature scales from 1e-3 to 1e3
        x = draw.batch(draw.integer(2, 64), draw.integer(2, 40), 1e-2, 1.0, 1.0, 1.0);
        for (Eigen::Index j = 0; j < x.cols(); ++j) x.col(j) *= (j % 2 == 0) ? 1e-3 : 1e3;
        name = "mixed_scales";
        break;
      }
      default: x = draw.batch(draw.integer(2, 8), draw.integer(30, 40), 1e-2, 1e2, 1e-2, 1e2); name = "wide"; break;
    }
    name += "_" + shape_name(x);
    hidden_case(name, seed, [&] { expect_like_reference(x, name, seed, Tolerance::forward()); });
  }
}

// Catches: missing or misplaced input checks, wrong messages, checks that throw on valid
// input, and outputs written before a check throws (the README: "before any output is
// written"). Each call has at most one problem, so the message is fixed by the contract.
BNKIT_HIDDEN_TEST(HiddenBatchStatistics, BadInputThrowsLikeReference, 2) {
  for (int k = 0; k < 6; ++k) {
    const std::uint64_t seed = case_seed(14, k);
    Draw draw(seed);
    const Eigen::Index d = draw.integer(1, 40), n = draw.integer(2, 64);
    const Eigen::Index off_by = draw.integer(1, std::min<Eigen::Index>(d, 5));
    const Eigen::Index wrong = draw.sign() > 0 ? d + off_by : d - off_by;  // 0..d-1 or d+1..d+5
    Eigen::Index rows = n, mean_len = d, var_len = d, unbiased_len = d;
    std::string name;
    switch (k) {
      case 0: rows = 0; name = "empty_batch"; break;
      case 1: mean_len = wrong; name = "mean_of_wrong_length"; break;
      case 2: var_len = wrong; name = "var_of_wrong_length"; break;
      case 3: unbiased_len = wrong; name = "var_unbiased_of_wrong_length"; break;
      case 4: rows = 1; name = "one_row_is_valid"; break;
      default: name = "valid"; break;
    }
    name += "_d" + std::to_string(d);
    hidden_case(name, seed, [&] {
      const Eigen::MatrixXd x = draw.batch(rows, d, 1e-2, 1e2, 1e-2, 1e2);
      // Outputs hold sentinel values: after a throw they must be as the reference left them.
      const Stats given{Eigen::VectorXd::Constant(mean_len, -7.25), Eigen::VectorXd::Constant(var_len, 3.5),
                        Eigen::VectorXd::Constant(unbiased_len, 11.0)};
      Stats want = given, got = given;
      const bnkit::grader::Ends ends = bnkit::grader::run_on_both(
          want, got, [&](Stats& s) { bnkit::batch_statistics(s.mean, s.var, s.var_unbiased, x); });
      EXPECT_TRUE(ends.alike("batch_statistics on x of shape [" + std::to_string(x.rows()) + ", " +
                             std::to_string(x.cols()) + "] with outputs of length " + std::to_string(mean_len) +
                             ", " + std::to_string(var_len) + ", " + std::to_string(unbiased_len)));
      const bnkit::grader::Origin origin{"the reference solution (hidden case)", name, seed};
      const std::string after = ends.expected.threw ? " after the throw" : "";
      using bnkit::grader::tensors_match;
      using bnkit::grader::to_tensor;
      const Tolerance tol = Tolerance::forward();
      EXPECT_TRUE(tensors_match("mean" + after, to_tensor(got.mean), to_tensor(want.mean), tol, origin));
      EXPECT_TRUE(tensors_match("var" + after, to_tensor(got.var), to_tensor(want.var), tol, origin));
      EXPECT_TRUE(tensors_match("var_unbiased" + after, to_tensor(got.var_unbiased),
                                to_tensor(want.var_unbiased), tol, origin));
    });
  }
}
