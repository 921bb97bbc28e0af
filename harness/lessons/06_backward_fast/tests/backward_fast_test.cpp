// Lesson 06 tests: the closed-form backward pass, dx = gamma * rstd / M * (M * dy - sum(dy) -
// xhat * sum(dy * xhat)), dgamma = sum(dy * xhat), dbeta = sum(dy). Oracles: PyTorch's
// autograd (golden data), the node-by-node computation in node_by_node.hpp (trusted, run
// here), hand-checked numbers and invariants.
#include "backward_problems.hpp"
#include "compare_scalar.hpp"

#include <cmath>
#include <string>
#include <vector>

namespace {

using bnkit::Index;
using bnkit::Tensor;
using bnkit::grader::Case;
using bnkit::grader::Origin;
using bnkit::grader::Tolerance;
using bnkit::grader::counts_match;
using bnkit::grader::matches_case;
using bnkit::grader::shape_mismatch;
using bnkit::grader::tensors_match;
using bnkit::lesson06::Draws;
using bnkit::lesson06::Gradients;
using bnkit::lesson06::Problem;
using bnkit::lesson06::run;
using bnkit::lesson06::vec;
using bnkit::grader::kHandChecked;
using bnkit::grader::kUnchanged;

const char* kLesson = "06_backward_fast";
const Origin kNodeByNode{"the node-by-node backward (harness/lessons/06_backward_fast/tests/node_by_node.hpp)", "",
                         std::nullopt};

Problem problem_of(const Case& c) {
  Problem p;
  p.x = c.tensor("x");
  p.dy = c.tensor("dy");
  p.mean = c.vector("mean");
  p.rstd = c.vector("rstd");
  if (c.text("affine") == "true") p.gamma = c.vector("gamma");
  return p;
}

/// Runs `check(case, problem, gradients)` on every case of `file` that `wanted` accepts.
template <typename Wanted, typename Check>
void for_cases(const bnkit::grader::CaseFile& file, Wanted wanted, Check check) {
  for (const Case& c : file.cases()) {
    if (!wanted(c)) continue;
    SCOPED_TRACE("case " + c.name());
    const Problem p = problem_of(c);
    bnkit::grader::guarded([&] { check(c, p, run(p)); });
  }
}

const bnkit::grader::CaseFile& torch_file() { return bnkit::grader::torch_cases(kLesson); }
bool affine(const Case& c) { return c.text("affine") == "true"; }
bool rank2(const Case& c) { return c.tensor("x").rank() == 2; }

/// dx, dgamma and dbeta against the node-by-node oracle, each to "1e-12 in double".
void expect_like_node_by_node(const Problem& p, const Gradients& got, const Origin& origin) {
  const Gradients want = bnkit::lesson06::node_by_node(p);
  EXPECT_TRUE(tensors_match("dx", got.dx, want.dx, bnkit::lesson06::dx_tolerance(p), origin));
  EXPECT_TRUE(tensors_match("dgamma", vec(got.dgamma), vec(want.dgamma), bnkit::lesson06::dgamma_tolerance(p), origin));
  EXPECT_TRUE(tensors_match("dbeta", vec(got.dbeta), vec(want.dbeta), bnkit::lesson06::dbeta_tolerance(p), origin));
}

/// dgamma of the expanded form rstd * (sum(dy * x) - mean * sum(dy)): algebraically
/// sum(dy * xhat), but one pass over x at the price of a cancellation (the premise of
/// StableAtLargeOffset).
Eigen::VectorXd expanded_dgamma(const Problem& p) {
  Eigen::VectorXd d(p.x.dim(1));
  for (Index c = 0; c < p.x.dim(1); ++c) {
    const double sum_dy_x = (p.dy.channel(c).array() * p.x.channel(c).array()).sum();
    d[c] = p.rstd[c] * (sum_dy_x - p.mean[c] * p.dy.channel(c).sum());
  }
  return d;
}

/// A tensor of x's shape with every value `v`.
Tensor filled(const std::vector<Index>& shape, double v) {
  Tensor t(shape);
  t.values().setConstant(v);
  return t;
}

}  // namespace

BNKIT_TEST(BatchNormBackwardFast, HandCheckedNumbers, 2) {
  // The README's example: x = [[1,2],[3,4],[5,6]], eps = 0 so rstd = sqrt(3/8) and
  // xhat = [-a, 0, a] with a = sqrt(3/2) in both columns; gamma = [2, 1]; dy = [[1,4],[2,4],[6,4]].
  // Column 0: sum(dy) = 9, sum(dy*xhat) = 5a, dx = 2*rstd/3 * ([3,6,18] - 9 - [-7.5,0,7.5]) =
  // [a/2, -a, a/2]. Column 1: dy is constant, so dx = 0, dgamma = 0 and dbeta = 12.
  Problem p;
  Eigen::VectorXd xv(6), dyv(6);
  xv << 1, 2, 3, 4, 5, 6;
  dyv << 1, 4, 2, 4, 6, 4;
  p.x = Tensor({3, 2}, xv);
  p.dy = Tensor({3, 2}, dyv);
  p.mean = Eigen::Vector2d(3, 4);
  p.rstd = Eigen::Vector2d::Constant(std::sqrt(3.0 / 8.0));
  p.gamma = Eigen::Vector2d(2, 1);
  const double a = std::sqrt(1.5);
  Eigen::VectorXd dx(6);
  dx << a / 2, 0, -a, 0, a / 2, 0;
  const Gradients g = run(p);
  const Origin hand{"hand-checked (lesson 06 README), PyTorch agrees (case hand_3x2)", "", std::nullopt};
  const Tolerance tight = kHandChecked;
  EXPECT_TRUE(tensors_match("dx", g.dx, Tensor({3, 2}, dx), tight, hand));
  EXPECT_TRUE(tensors_match("dgamma", vec(g.dgamma), vec(Eigen::Vector2d(5 * a, 0)), tight, hand));
  EXPECT_TRUE(tensors_match("dbeta", vec(g.dbeta), vec(Eigen::Vector2d(9, 12)), tight, hand));
}

BNKIT_TEST(BatchNormBackwardFast, DxMatchesPyTorch, 4) {
  // (N,C) inputs, affine and not, a batch of two, dy with a large common part (1e3), x at an
  // offset of 1e5: dx as PyTorch's autograd computed it.
  for_cases(torch_file(), rank2, [](const Case& c, const Problem& p, const Gradients& g) {
    EXPECT_TRUE(matches_case("dx", g.dx, c, "dx", bnkit::lesson06::dx_tolerance(p)));
  });
}

BNKIT_TEST(BatchNormBackwardFast, ParameterGradientsMatchPyTorch, 3) {
  for_cases(torch_file(), affine, [](const Case& c, const Problem& p, const Gradients& g) {
    EXPECT_TRUE(matches_case("dgamma", g.dgamma, c, "dgamma", bnkit::lesson06::dgamma_tolerance(p)));
    EXPECT_TRUE(matches_case("dbeta", g.dbeta, c, "dbeta", bnkit::lesson06::dbeta_tolerance(p)));
  });
}

BNKIT_TEST(BatchNormBackwardFast, ThreeDimensionalInputMatchesPyTorch, 3) {
  // (N,C,L): every sum runs over N and L together, M = N * L (L = 1 and a (1, C, 2) batch too).
  for_cases(
      torch_file(), [](const Case& c) { return !rank2(c); },
      [](const Case& c, const Problem& p, const Gradients& g) {
        EXPECT_TRUE(matches_case("dx", g.dx, c, "dx", bnkit::lesson06::dx_tolerance(p)));
        if (affine(c)) {
          EXPECT_TRUE(matches_case("dgamma", g.dgamma, c, "dgamma", bnkit::lesson06::dgamma_tolerance(p)));
          EXPECT_TRUE(matches_case("dbeta", g.dbeta, c, "dbeta", bnkit::lesson06::dbeta_tolerance(p)));
        }
      });
}

BNKIT_TEST(BatchNormBackwardFast, NoAffineMeansGammaOne, 2) {
  // Without affine (gamma empty) the formula has gamma = 1, and there is no parameter to
  // return a gradient for: dgamma and dbeta come back empty.
  for_cases(
      torch_file(), [](const Case& c) { return !affine(c); },
      [](const Case& c, const Problem& p, const Gradients& g) {
        EXPECT_TRUE(matches_case("dx", g.dx, c, "dx", bnkit::lesson06::dx_tolerance(p)));
        const Origin origin{"the contract: no gamma, no dgamma or dbeta", c.name(), std::nullopt};
        EXPECT_TRUE(counts_match("size of dgamma", g.dgamma.size(), 0, origin));
        EXPECT_TRUE(counts_match("size of dbeta", g.dbeta.size(), 0, origin));
      });
}

BNKIT_TEST(BatchNormBackwardFast, EqualsNodeByNode, 3) {
  // Random problems of every kind, against the long way round (node_by_node.hpp), to 1e-12.
  struct Kind {
    std::vector<Index> shape;
    bool affine;
    double eps;
  };
  const std::vector<Kind> kinds = {{{7, 4}, true, 1e-5},     {{64, 5}, false, 1e-5}, {{2, 3}, true, 1e-3},
                                   {{3, 4, 6}, true, 1e-5},  {{1, 3, 2}, false, 0.1}, {{5, 2, 1}, true, 1e-5},
                                   {{16, 3, 32}, true, 1e-3}, {{9, 9}, true, 0.1}};
  std::uint64_t seed = 601;
  for (const Kind& k : kinds) {
    Draws draws(++seed);
    const Problem p = draws.problem(k.shape, k.affine, k.eps);
    SCOPED_TRACE(bnkit::lesson06::describe(p) + ", seed " + std::to_string(seed));
    bnkit::grader::guarded([&] {
      Origin origin = kNodeByNode;
      origin.seed = seed;
      expect_like_node_by_node(p, run(p), origin);
    });
  }
}

BNKIT_TEST(BatchNormBackwardFast, StableAtLargeOffset, 2) {
  // Channels near 1e5 and -5e4 with a spread near 1. xhat = (x - mean) * rstd keeps every
  // digit (the difference of two nearby doubles is exact); the one-pass rearrangement
  // sum(dy * xhat) = rstd * (sum(dy * x) - mean * sum(dy)) does not.
  std::uint64_t seed = 621;
  for (const std::vector<Index>& shape : {std::vector<Index>{32, 3}, std::vector<Index>{4, 3, 8}}) {
    Draws draws(++seed);
    const Problem p = draws.problem(shape, true, 1e-5, {1e5, -5e4, 1e5 + 0.5});
    SCOPED_TRACE(bnkit::lesson06::describe(p) + " near 1e5, seed " + std::to_string(seed));
    ASSERT_FALSE(tensors_match("dgamma", vec(expanded_dgamma(p)), vec(bnkit::lesson06::node_by_node(p).dgamma),
                               bnkit::lesson06::dgamma_tolerance(p), {}))
        << "premise of this test: the one-pass rearrangement must fail on this data";
    bnkit::grader::guarded([&] {
      Origin origin = kNodeByNode;
      origin.seed = seed;
      expect_like_node_by_node(p, run(p), origin);
    });
  }
}

BNKIT_TEST(BatchNormBackwardFast, BatchOfTwo, 2) {
  // M = 2, the smallest batch train mode takes. With eps = 0 two values always normalise to
  // -1 and +1, whatever they are: y does not depend on x, so dx = 0 exactly (in exact
  // arithmetic; here to rounding). With eps > 0, dx is small but not zero.
  for (const std::vector<Index>& shape : {std::vector<Index>{2, 3}, std::vector<Index>{1, 3, 2}}) {
    Draws draws(641 + static_cast<std::uint64_t>(shape.size()));
    Problem p = draws.problem(shape, true, 0.0);
    SCOPED_TRACE(bnkit::lesson06::describe(p));
    bnkit::grader::guarded([&] {
      EXPECT_TRUE(tensors_match("dx (eps = 0)", run(p).dx, Tensor(shape), bnkit::lesson06::dx_tolerance(p),
                                {"hand-checked: with M = 2 and eps = 0, y is -+gamma + beta whatever x is", "",
                                 std::nullopt}));
      bnkit::lesson06::fill_statistics(p, 1e-3);
      expect_like_node_by_node(p, run(p), kNodeByNode);
    });
  }
}

BNKIT_TEST(BatchNormBackwardFast, GradientInvariants, 2) {
  // Per channel, dx sums to 0 (the loss cannot change when x shifts: BN removes the mean)
  // and, with eps = 0, is orthogonal to xhat (nor when x scales: BN removes the spread; eps
  // keeps a little of it). Those two alone would pass dx = 0, so they come with dependence on
  // dy: a dy orthogonal to 1 and xhat passes through as gamma * rstd * dy, a constant dy gives
  // dx = 0 and dbeta = M * dy, and dy = xhat gives gamma * rstd * xhat * (1 - sum(xhat^2) / M),
  // not 0 when eps > 0.
  const std::uint64_t seed = 661;
  Draws draws(seed);
  const Problem p = draws.problem({6, 3, 5}, true, 1e-3);
  const Index m = bnkit::lesson06::values_per_channel(p.x);
  const Tensor xhat = bnkit::lesson06::xhat_of(p);
  const Origin invariant{"the invariant", "", seed};
  bnkit::grader::guarded([&] {
    Problem no_eps = p;
    bnkit::lesson06::fill_statistics(no_eps, 0.0);
    const Tensor xhat0 = bnkit::lesson06::xhat_of(no_eps);
    const Gradients g = run(no_eps);
    Eigen::VectorXd sums(3), dots(3);
    for (Index c = 0; c < 3; ++c) {
      sums[c] = g.dx.channel(c).sum();
      dots[c] = (g.dx.channel(c).array() * xhat0.channel(c).array()).sum();
    }
    // M values of dx, each good to ~1e-15 * S, add up to ~1e-15 * S * M at most.
    const double scale = bnkit::lesson06::dx_tolerance(no_eps).atol * static_cast<double>(m);
    EXPECT_TRUE(tensors_match("sum of dx per channel (eps = 0)", vec(sums), vec(Eigen::VectorXd::Zero(3)),
                              {scale, 0}, {"the invariant sum(dx) = 0", "", seed}));
    EXPECT_TRUE(tensors_match("sum of dx * xhat per channel (eps = 0)", vec(dots), vec(Eigen::VectorXd::Zero(3)),
                              {scale, 0}, {"the invariant sum(dx * xhat) = 0 when eps = 0", "", seed}));
  });

  // dy with its mean and its xhat component removed, channel by channel.
  Problem free = p;
  Tensor through(p.x.shape());
  for (Index c = 0; c < 3; ++c) {
    Eigen::ArrayXXd d = free.dy.channel(c).array() - free.dy.channel(c).mean();
    const Eigen::ArrayXXd h = xhat.channel(c).array();
    d -= h * ((d * h).sum() / h.square().sum());
    free.dy.channel(c) = d.matrix();
    through.channel(c) = (p.gamma[c] * p.rstd[c] * d).matrix();
  }
  bnkit::grader::guarded([&] {
    EXPECT_TRUE(tensors_match("dx for a dy orthogonal to 1 and xhat", run(free).dx, through,
                              bnkit::lesson06::dx_tolerance(free),
                              {"the invariant dx = gamma * rstd * dy there", "", seed}));
  });

  Problem flat = p;
  flat.dy = filled(p.x.shape(), 2.5);
  bnkit::grader::guarded([&] {
    const Gradients g = run(flat);
    EXPECT_TRUE(tensors_match("dx for a constant dy", g.dx, Tensor(p.x.shape()), bnkit::lesson06::dx_tolerance(flat),
                              {"the invariant: sum(y) = M * beta does not depend on x", "", seed}));
    EXPECT_TRUE(tensors_match("dbeta for a constant dy", vec(g.dbeta),
                              vec(Eigen::VectorXd::Constant(3, 2.5 * static_cast<double>(m))),
                              bnkit::lesson06::dbeta_tolerance(flat), invariant));
  });

  Problem along = p;
  along.dy = xhat;
  Tensor want(p.x.shape());
  for (Index c = 0; c < 3; ++c) {
    const double kept = 1.0 - xhat.channel(c).array().square().sum() / static_cast<double>(m);
    want.channel(c) = (p.gamma[c] * p.rstd[c] * kept * xhat.channel(c).array()).matrix();
  }
  bnkit::grader::guarded([&] {
    EXPECT_TRUE(tensors_match("dx for dy = xhat", run(along).dx, want, bnkit::lesson06::dx_tolerance(along),
                              {"the invariant dx = gamma * rstd * xhat * (1 - sum(xhat^2) / M)", "", seed}));
  });
}

BNKIT_TEST(BatchNormBackwardFast, ReferenceRandomizedCases, 2) {
  for_cases(
      bnkit::grader::reference_cases(kLesson), [](const Case&) { return true; },
      [](const Case& c, const Problem& p, const Gradients& g) {
        EXPECT_TRUE(matches_case("dx", g.dx, c, "dx", bnkit::lesson06::dx_tolerance(p)));
        if (affine(c)) {
          EXPECT_TRUE(matches_case("dgamma", g.dgamma, c, "dgamma", bnkit::lesson06::dgamma_tolerance(p)));
          EXPECT_TRUE(matches_case("dbeta", g.dbeta, c, "dbeta", bnkit::lesson06::dbeta_tolerance(p)));
        }
      });
}

BNKIT_TEST(BatchNormBackwardFast, EmptyBatchGivesZeroGradients, 1) {
  // No values (N = 0, or L = 0): dx is empty, of x's shape; dgamma and dbeta are sums over
  // nothing, 0 (PyTorch's autograd gives the same).
  const Origin pytorch{"PyTorch's autograd on an empty batch: empty dx, zero dgamma and dbeta", "", std::nullopt};
  for (const std::vector<Index>& shape : {std::vector<Index>{0, 3}, std::vector<Index>{2, 3, 0}}) {
    SCOPED_TRACE("x of shape " + bnkit::shape_string(shape));
    Problem p{Eigen::VectorXd::Zero(3), Eigen::VectorXd::Ones(3), Tensor(shape), Tensor(shape),
              Eigen::Vector3d(1.5, -2, 0.5)};
    bnkit::grader::guarded([&] {
      const Gradients g = run(p);
      EXPECT_TRUE(tensors_match("dx", g.dx, Tensor(shape), kUnchanged, pytorch));
      EXPECT_TRUE(tensors_match("dgamma", vec(g.dgamma), vec(Eigen::VectorXd::Zero(3)), kUnchanged, pytorch));
      EXPECT_TRUE(tensors_match("dbeta", vec(g.dbeta), vec(Eigen::VectorXd::Zero(3)), kUnchanged, pytorch));
    });
  }
}

// The contract fixes these messages word for word; two sizes each, so the numbers in them
// must come from the call.
BNKIT_TEST(BatchNormBackwardFast, RejectsBadShapes, 2) {
  using bnkit::grader::throws_invalid_argument;
  for (const std::vector<Index>& shape : {std::vector<Index>{5, 3}, std::vector<Index>{4, 6, 2}}) {
    const Index c = shape[1];
    const std::string cs = std::to_string(c);
    SCOPED_TRACE("x of shape " + bnkit::shape_string(shape));
    Draws draws(681);
    const Problem valid = draws.problem(shape, true, 1e-5);
    EXPECT_TRUE(bnkit::grader::accepts([&] { run(valid); }, "x and dy of shape " + bnkit::shape_string(shape) +
                                                                 " with mean, rstd and gamma of length " + cs));
    Problem no_affine = valid;
    no_affine.gamma.resize(0);
    EXPECT_TRUE(bnkit::grader::accepts([&] { run(no_affine); }, "an empty gamma (no affine)"));

    Problem p = valid;
    p.x = Tensor({2, c, 2, 2});
    p.dy = p.x;
    EXPECT_TRUE(throws_invalid_argument([&] { run(p); }, "expected 2D or 3D input (got 4D input)"));
    p = valid;
    p.x = Tensor({c * 2});
    p.dy = p.x;
    EXPECT_TRUE(throws_invalid_argument([&] { run(p); }, "expected 2D or 3D input (got 1D input)"));

    p = valid;
    std::vector<Index> other = shape;
    other[0] += 1;
    p.dy = Tensor(other);
    EXPECT_TRUE(throws_invalid_argument([&] { run(p); }, shape_mismatch(other, shape, "dy")));
    // The same number of values in another shape is refused too: a shape check, not a size check.
    const std::vector<Index> transposed(shape.rbegin(), shape.rend());
    p.dy = Tensor(transposed);
    EXPECT_TRUE(throws_invalid_argument([&] { run(p); }, shape_mismatch(transposed, shape, "dy")));
    p.dy = Tensor({shape[0], c});
    if (shape.size() == 3) {
      EXPECT_TRUE(throws_invalid_argument([&] { run(p); }, shape_mismatch({shape[0], c}, shape, "dy")));
    }

    for (const char* name : {"mean", "rstd", "gamma"}) {
      for (const Index wrong : {c + 1, c - 1}) {
        if (wrong == 0 && std::string(name) == "gamma") continue;  // an empty gamma is valid
        p = valid;
        Eigen::VectorXd& v = std::string(name) == "mean" ? p.mean : std::string(name) == "rstd" ? p.rstd : p.gamma;
        v = Eigen::VectorXd::Constant(wrong, 0.5);
        EXPECT_TRUE(throws_invalid_argument([&] { run(p); }, std::string(name) + " should contain " + cs +
                                                                  " elements not " + std::to_string(wrong)));
      }
    }
  }
}

BNKIT_TEST(BatchNormBackwardFast, RejectsBatchOfOne, 1) {
  using bnkit::grader::throws_invalid_argument;
  Draws draws(691);
  const Problem two = draws.problem({1, 3, 2}, true, 1e-5);
  EXPECT_TRUE(bnkit::grader::accepts([&] { run(two); }, "a (1, 3, 2) batch: M = 2"));
  for (const std::vector<Index>& shape : {std::vector<Index>{1, 3}, std::vector<Index>{1, 4, 1}}) {
    Problem p{Eigen::VectorXd::Zero(shape[1]), Eigen::VectorXd::Ones(shape[1]), Tensor(shape), Tensor(shape),
              Eigen::VectorXd::Ones(shape[1])};
    EXPECT_TRUE(throws_invalid_argument(
        [&] { run(p); },
        "Expected more than 1 value per channel when training, got input size " + bnkit::shape_string(shape)));
  }
}

BNKIT_TEST(BatchNormBackwardFast, RejectedCallsChangeNoOutput, 1) {
  // Check everything, then write: every refused call leaves dx, dgamma and dbeta as they
  // were (values no call would write). Code that refuses everything earns nothing here.
  Draws draws(701);
  const Problem valid = draws.problem({4, 3, 2}, true, 1e-5);
  EXPECT_TRUE(bnkit::grader::accepts([&] { run(valid); }, "a (4, 3, 2) problem"));
  struct Refused {
    const char* call;
    Problem p;
  };
  std::vector<Refused> refused(6, Refused{"", valid});
  refused[0].call = "x of rank 4";
  refused[0].p.x = Tensor({4, 3, 2, 1});
  refused[1].call = "dy of shape [4, 3, 3] for x of shape [4, 3, 2]";
  refused[1].p.dy = Tensor({4, 3, 3});
  refused[2].call = "mean of length 2 for 3 channels";
  refused[2].p.mean = Eigen::Vector2d(0, 0);
  refused[3].call = "rstd of length 4 for 3 channels";
  refused[3].p.rstd = Eigen::Vector4d(1, 1, 1, 1);
  refused[4].call = "gamma of length 2 for 3 channels";
  refused[4].p.gamma = Eigen::Vector2d(1, 1);
  refused[5].call = "a batch of one, x and dy of shape [1, 3, 1]";
  refused[5].p.x = refused[5].p.dy = Tensor({1, 3, 1});
  for (const Refused& r : refused) {
    SCOPED_TRACE(r.call);
    const Gradients given = bnkit::lesson06::stale_outputs();
    Gradients got = given;
    EXPECT_TRUE(bnkit::grader::throws_invalid_argument(
        [&] {
          bnkit::batchnorm_backward_fast(got.dx, got.dgamma, got.dbeta, r.p.mean, r.p.rstd, r.p.dy, r.p.x, r.p.gamma);
        },
        std::vector<std::string>{}));
    const Origin before{"the outputs as they were before the call: a refused call writes nothing", r.call,
                        std::nullopt};
    EXPECT_TRUE(tensors_match("dx after the refused call", got.dx, given.dx, kUnchanged, before));
    EXPECT_TRUE(tensors_match("dgamma after the refused call", vec(got.dgamma), vec(given.dgamma), kUnchanged, before));
    EXPECT_TRUE(tensors_match("dbeta after the refused call", vec(got.dbeta), vec(given.dbeta), kUnchanged, before));
  }
}
