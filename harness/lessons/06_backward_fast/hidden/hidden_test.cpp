// Lesson 06 hidden tests (instructor mode): problems drawn fresh from the run's seed,
// expected values from the reference solution (the oracle), and from the trusted
// node-by-node backward too. Shapes and values are unlike the visible cases, so an answer
// that only fits the visible data earns nothing here.
#include "../tests/backward_problems.hpp"

#include <string>
#include <vector>

namespace {

using bnkit::Index;
using bnkit::Tensor;
using bnkit::grader::Origin;
using bnkit::grader::case_seed;
using bnkit::grader::hidden_case;
using bnkit::grader::tensors_match;
using bnkit::lesson06::Draws;
using bnkit::lesson06::Gradients;
using bnkit::lesson06::Problem;
using bnkit::lesson06::run;
using bnkit::lesson06::vec;

/// A shape of rank 2 or 3 with M = N * L >= 2.
std::vector<Index> draw_shape(Draws& d, bool rank3) {
  const auto n = static_cast<Index>(d.uniform(1, 40));
  const auto c = static_cast<Index>(d.uniform(1, 12));
  if (!rank3) return {std::max<Index>(n, 2), c};
  const auto l = static_cast<Index>(d.uniform(1, 24));
  return {n, c, n * l < 2 ? 2 : l};
}

double draw_eps(Draws& d) {
  const double choices[] = {1e-5, 1e-3, 0.1};
  return choices[static_cast<int>(d.uniform(0, 3)) % 3];
}

/// dx, dgamma, dbeta of the code under test against the reference's and the node-by-node
/// computation's, to "1e-12 in double" (backward_problems.hpp).
void expect_like_reference(const Problem& p, const std::string& name, std::uint64_t seed) {
  const Gradients want = bnkit::grader::with_oracle([&] { return run(p); });
  const Gradients got = run(p);
  const Gradients nodes = bnkit::lesson06::node_by_node(p);
  const Origin reference{"the reference solution (hidden case)", name, seed};
  const Origin long_way{"the node-by-node backward (hidden case)", name, seed};
  const auto dx_tol = bnkit::lesson06::dx_tolerance(p);
  EXPECT_TRUE(tensors_match("dx", got.dx, want.dx, dx_tol, reference));
  EXPECT_TRUE(tensors_match("dx", got.dx, nodes.dx, dx_tol, long_way));
  EXPECT_TRUE(tensors_match("dgamma", vec(got.dgamma), vec(want.dgamma), bnkit::lesson06::dgamma_tolerance(p),
                            reference));
  EXPECT_TRUE(tensors_match("dbeta", vec(got.dbeta), vec(want.dbeta), bnkit::lesson06::dbeta_tolerance(p), reference));
}

std::string case_name(const std::string& kind, const Problem& p) {
  std::string s = kind;
  for (const Index d : p.x.shape()) s += "_" + std::to_string(d);
  return s + (p.gamma.size() ? "" : "_no_affine");
}

}  // namespace

// Catches: a missing or mis-signed term, the wrong factor in front (M - 1, rstd twice, no
// gamma), sums over the wrong axes (half the cases are (N,C,L)), gamma empty mishandled, and
// hard-coded shapes.
BNKIT_HIDDEN_TEST(HiddenBatchNormBackwardFast, RandomShapesMatchReference, 4) {
  for (int k = 0; k < 8; ++k) {
    const std::uint64_t seed = case_seed(61, k);
    Draws draws(seed);
    const std::vector<Index> shape = draw_shape(draws, k % 2 == 1);
    const Problem p = draws.problem(shape, k % 4 != 2, draw_eps(draws));
    const std::string name = case_name("random", p);
    hidden_case(name, seed, [&] { expect_like_reference(p, name, seed); });
  }
}

// Catches: the one-pass rearrangement rstd * (sum(dy * x) - mean * sum(dy)), which cancels when
// the channel sits at 1e4..1e5 with a spread near 1.
BNKIT_HIDDEN_TEST(HiddenBatchNormBackwardFast, LargeOffsetsStayStable, 2) {
  for (int k = 0; k < 4; ++k) {
    const std::uint64_t seed = case_seed(62, k);
    Draws draws(seed);
    std::vector<Index> shape = draw_shape(draws, k % 2 == 1);
    shape[0] = std::max<Index>(shape[0], 16);  // enough values for the cancellation to show
    std::vector<double> offsets;
    for (Index c = 0; c < shape[1]; ++c) {
      offsets.push_back((draws.normal() < 0 ? -1.0 : 1.0) * std::round(draws.uniform(1e4, 1e5)));
    }
    const Problem p = draws.problem(shape, true, 1e-5, offsets);
    const std::string name = case_name("offset", p);
    hidden_case(name, seed, [&] { expect_like_reference(p, name, seed); });
  }
}

// Catches: M taken as N for (N,C,L) or as N*C, batches of exactly two values per channel
// ((2,C), (1,C,2)), and channels whose x is constant (var 0: rstd = 1/sqrt(eps), xhat = 0).
BNKIT_HIDDEN_TEST(HiddenBatchNormBackwardFast, SmallBatchesAndConstantChannels, 2) {
  for (int k = 0; k < 6; ++k) {
    const std::uint64_t seed = case_seed(63, k);
    Draws draws(seed);
    const auto c = static_cast<Index>(draws.uniform(1, 8));
    std::vector<Index> shape = k % 3 == 0 ? std::vector<Index>{2, c}
                               : k % 3 == 1 ? std::vector<Index>{1, c, 2}
                                            : draw_shape(draws, true);
    Problem p = draws.problem(shape, k != 4, draw_eps(draws));
    for (Index ch = 0; ch < p.x.dim(1); ch += 2) p.x.channel(ch).setConstant(3.25);  // constant channels
    bnkit::lesson06::fill_statistics(p, 1e-3);
    const std::string name = case_name("small", p);
    hidden_case(name, seed, [&] { expect_like_reference(p, name, seed); });
  }
}

// Catches: missing checks (rank, dy's shape (a transposed dy too), the lengths of mean, rstd, gamma, a batch of
// one), wrong messages, checks that throw on valid input (an empty gamma, M = 2), and outputs
// written before a check throws. Each call has at most one problem.
BNKIT_HIDDEN_TEST(HiddenBatchNormBackwardFast, BadInputThrowsLikeReference, 2) {
  for (int k = 0; k < 10; ++k) {
    const std::uint64_t seed = case_seed(64, k);
    Draws draws(seed);
    const std::vector<Index> shape = draw_shape(draws, k % 2 == 0);
    Problem p = draws.problem(shape, true, 1e-5);
    const Index c = shape[1];
    const Index wrong = c + 1 + static_cast<Index>(draws.uniform(0, 4));
    std::string name;
    switch (k) {
      case 0: p.x = Tensor({2, c, 2, 2}); p.dy = p.x; name = "rank_4"; break;
      case 1: p.dy = Tensor({shape[0] + 1, c}); name = "dy_of_wrong_shape"; break;
      case 2: p.mean = Eigen::VectorXd::Ones(wrong); name = "mean_of_wrong_length"; break;
      case 3: p.rstd = Eigen::VectorXd::Ones(wrong); name = "rstd_of_wrong_length"; break;
      case 4: p.gamma = Eigen::VectorXd::Ones(wrong); name = "gamma_of_wrong_length"; break;
      case 5: p.x = p.dy = Tensor({1, c, 1}); name = "batch_of_one"; break;
      case 6: p.gamma.resize(0); name = "empty_gamma_is_valid"; break;
      case 7: p = draws.problem({1, c, 2}, true, 1e-5); name = "two_values_is_valid"; break;
      case 8: p.dy = Tensor(std::vector<Index>(shape.rbegin(), shape.rend())); name = "dy_transposed"; break;
      default: name = "valid"; break;
    }
    name += "_c" + std::to_string(c);
    hidden_case(name, seed, [&] {
      const Gradients given = bnkit::lesson06::stale_outputs();
      Gradients want = given, got = given;
      const auto call = [&p](Gradients& g) {
        bnkit::batchnorm_backward_fast(g.dx, g.dgamma, g.dbeta, p.mean, p.rstd, p.dy, p.x, p.gamma);
      };
      const bnkit::grader::Ends ends = bnkit::grader::run_on_both(want, got, call);
      EXPECT_TRUE(ends.alike("batchnorm_backward_fast on x of shape " + bnkit::shape_string(p.x.shape()) +
                             ", dy of shape " + bnkit::shape_string(p.dy.shape()) + ", mean, rstd, gamma of lengths " +
                             std::to_string(p.mean.size()) + ", " + std::to_string(p.rstd.size()) + ", " +
                             std::to_string(p.gamma.size())));
      const bool threw = ends.expected.threw;
      const Origin origin{"the reference solution (hidden case)", name, seed};
      const std::string after = threw ? " after the throw" : "";
      const bnkit::grader::Tolerance tol = threw ? bnkit::grader::kUnchanged : bnkit::lesson06::dx_tolerance(p);
      EXPECT_TRUE(tensors_match("dx" + after, got.dx, want.dx, tol, origin));
      EXPECT_TRUE(tensors_match("dgamma" + after, vec(got.dgamma), vec(want.dgamma),
                                threw ? tol : bnkit::lesson06::dgamma_tolerance(p), origin));
      EXPECT_TRUE(tensors_match("dbeta" + after, vec(got.dbeta), vec(want.dbeta),
                                threw ? tol : bnkit::lesson06::dbeta_tolerance(p), origin));
    });
  }
}
