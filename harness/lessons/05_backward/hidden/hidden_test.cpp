// Lesson 05 hidden tests (instructor mode): inputs drawn fresh from the run's seed, expected
// values from the reference solution (the oracle). The backward is always handed the
// REFERENCE's forward nodes, so it is graded on its own, as in the visible tests.
#include "backward.hpp"
#include "lesson_test.hpp"

#include "bnkit/todo.hpp"

#include <string>
#include <vector>

namespace {

using bnkit::ForwardNodes;
using bnkit::Index;
using bnkit::NodeGradients;
using bnkit::Tensor;
using bnkit::grader::Draw;
using bnkit::grader::Origin;
using bnkit::grader::Tolerance;
using bnkit::grader::case_seed;
using bnkit::grader::hidden_case;
using bnkit::grader::tensors_match;
using bnkit::grader::to_tensor;

/// Every Tensor field of shape [0]: a default Tensor (shape [], no value) cannot cross.
NodeGradients fresh_grads() {
  NodeGradients g;
  g.dxhat = g.dxc = g.dx = Tensor({0});
  return g;
}
ForwardNodes fresh_nodes() {
  ForwardNodes n;
  n.xc = n.xhat = Tensor({0});
  return n;
}

/// One hidden input: x, dy, gamma and beta (empty unless affine), eps.
struct Input {
  Tensor x, dy;
  Eigen::VectorXd gamma, beta;
  double eps;
  std::string name;
};

/// (N,C) or (N,C,L); channel c = offset_c + scale_c * N(0,1), each channel its own. A
/// `square` input is (N,N) and affine, where sums over the wrong axis have the right shape.
Input draw_input(Draw& draw, const std::string& kind, double offset_lo, double offset_hi, double scale_lo,
                 double scale_hi, bool square = false) {
  Input in;
  std::vector<Index> shape;
  do {
    const Index n = draw.integer(1, 24), c = draw.integer(1, 12);
    shape = square ? std::vector<Index>{c + 1, c + 1}
            : draw.chance(0.5) ? std::vector<Index>{n, c}
                               : std::vector<Index>{n, c, draw.integer(1, 9)};
  } while (shape[0] * (shape.size() == 3 ? shape[2] : 1) < 2);
  in.x = Tensor(shape);
  in.dy = Tensor(shape);
  for (Index c = 0; c < shape[1]; ++c) {
    const double offset = draw.sign() * draw.log_uniform(offset_lo, offset_hi);
    const double scale = draw.log_uniform(scale_lo, scale_hi);
    bnkit::ChannelView xv = in.x.channel(c), dv = in.dy.channel(c);
    for (Index col = 0; col < xv.cols(); ++col)
      for (Index row = 0; row < xv.rows(); ++row) {
        xv(row, col) = offset + scale * draw.normal();
        dv(row, col) = draw.normal() * draw.log_uniform(0.1, 10.0);
      }
  }
  if (square || draw.chance(0.7)) {
    in.gamma = draw.gamma(shape[1]);
    in.beta = draw.beta(shape[1]);
  }
  in.eps = draw.eps();
  in.name = kind + "_" + bnkit::shape_string(shape) + (in.gamma.size() ? "_affine" : "_not_affine");
  return in;
}

struct Result {
  Tensor y;
  ForwardNodes nodes;
  NodeGradients grads;
};

/// The reference's forward and backward of `in`.
Result reference(const Input& in) {
  return bnkit::grader::with_oracle([&] {
    Result r{Tensor(), fresh_nodes(), fresh_grads()};
    r.y = bnkit::batchnorm_forward_nodes(r.nodes, in.x, in.gamma, in.beta, in.eps);
    bnkit::batchnorm_backward_nodes(r.grads, in.dy, r.nodes, in.gamma);
    return r;
  });
}

/// The code under test's forward of `in`, and its backward of the REFERENCE's nodes,
/// compared field by field with the reference.
void expect_like_reference(const Input& in, std::uint64_t seed, Tolerance forward_tol) {
  const Result want = reference(in);
  const Origin origin{"the reference solution (hidden case)", in.name, seed};
  ForwardNodes nodes = fresh_nodes();
  const Tensor y = bnkit::batchnorm_forward_nodes(nodes, in.x, in.gamma, in.beta, in.eps);
  EXPECT_TRUE(tensors_match("y", y, want.y, forward_tol, origin));
  EXPECT_TRUE(tensors_match("nodes.mean", to_tensor(nodes.mean), to_tensor(want.nodes.mean), forward_tol, origin));
  EXPECT_TRUE(tensors_match("nodes.xc", nodes.xc, want.nodes.xc, forward_tol, origin));
  EXPECT_TRUE(tensors_match("nodes.var", to_tensor(nodes.var), to_tensor(want.nodes.var), forward_tol, origin));
  EXPECT_TRUE(tensors_match("nodes.rstd", to_tensor(nodes.rstd), to_tensor(want.nodes.rstd), forward_tol, origin));
  EXPECT_TRUE(tensors_match("nodes.xhat", nodes.xhat, want.nodes.xhat, forward_tol, origin));

  NodeGradients g = fresh_grads();
  bnkit::batchnorm_backward_nodes(g, in.dy, want.nodes, in.gamma);
  const Tolerance tol = Tolerance::gradient();
  const NodeGradients& w = want.grads;
  EXPECT_TRUE(tensors_match("grads.dbeta", to_tensor(g.dbeta), to_tensor(w.dbeta), tol, origin));
  EXPECT_TRUE(tensors_match("grads.dgamma", to_tensor(g.dgamma), to_tensor(w.dgamma), tol, origin));
  EXPECT_TRUE(tensors_match("grads.dxhat", g.dxhat, w.dxhat, tol, origin));
  EXPECT_TRUE(tensors_match("grads.drstd", to_tensor(g.drstd), to_tensor(w.drstd), tol, origin));
  EXPECT_TRUE(tensors_match("grads.dxc", g.dxc, w.dxc, tol, origin));
  EXPECT_TRUE(tensors_match("grads.dmean", to_tensor(g.dmean), to_tensor(w.dmean), tol, origin));
  EXPECT_TRUE(tensors_match("grads.dx", g.dx, w.dx, tol, origin));
}

}  // namespace

// Catches: any node wrong on shapes nobody saw (a node hard-coded for the visible cases),
// (N,C,L) with L = 1 and M = 2, affine or not, every eps; the count M = N * L; dgamma and
// dbeta summed over the wrong axis (square (N,C) cases come up); N - 1 anywhere.
BNKIT_HIDDEN_TEST(HiddenBatchNormBackward, RandomShapesMatchReference, 4) {
  for (int k = 0; k < 10; ++k) {
    const std::uint64_t seed = case_seed(51, k);
    Draw draw(seed);
    const Input in = draw_input(draw, "random", 1e-2, 50.0, 1e-2, 1e2, k % 4 == 1);
    hidden_case(in.name, seed, [&] { expect_like_reference(in, seed, Tolerance::forward()); });
  }
}

// Catches: a one-pass variance in the forward at offsets of 1e4..1e5, and a backward that
// rebuilds xc from the nodes in a way that cancels there.
BNKIT_HIDDEN_TEST(HiddenBatchNormBackward, LargeOffsetsStayStable, 2) {
  for (int k = 0; k < 6; ++k) {
    const std::uint64_t seed = case_seed(52, k);
    Draw draw(seed);
    const Input in = draw_input(draw, "offset", 1e4, 1e5, 0.05, 0.5);
    hidden_case(in.name, seed, [&] { expect_like_reference(in, seed, bnkit::grader::kLargeOffsetRounding); });
  }
}

// Catches: eps mishandled where it matters most, channels constant over the batch (var 0,
// rstd = 1/sqrt(eps)) and spreads comparable to sqrt(eps); two values per channel.
BNKIT_HIDDEN_TEST(HiddenBatchNormBackward, TinySpreadsAndTwoValues, 2) {
  for (int k = 0; k < 6; ++k) {
    const std::uint64_t seed = case_seed(53, k);
    Draw draw(seed);
    Input in = draw_input(draw, "tiny_spread", 1e-2, 1e2, 1e-4, 1e-1);
    if (k % 2 == 0) {  // M = 2: two samples, no length
      Input two = draw_input(draw, "two_values", 1e-2, 1e2, 1e-3, 1e-1);
      const Index c = two.x.dim(1);
      in.x = Tensor({2, c}, two.x.values().head(2 * c));
      in.dy = Tensor({2, c}, two.dy.values().head(2 * c));
      in.gamma = two.gamma;
      in.beta = two.beta;
      in.name = "two_values_" + bnkit::shape_string({2, c});
    }
    for (Index c = 0; c < in.x.dim(1); c += 3) in.x.channel(c).setConstant(in.x.channel(c)(0, 0));  // constant
    hidden_case(in.name, seed, [&] { expect_like_reference(in, seed, Tolerance::forward()); });
  }
}

// Catches: missing checks, wrong messages, checks that throw on valid input, and outputs
// written before a check throws. Each call has at most one problem.
BNKIT_HIDDEN_TEST(HiddenBatchNormBackward, BadInputThrowsLikeReference, 2) {
  for (int k = 0; k < 9; ++k) {
    const std::uint64_t seed = case_seed(54, k);
    Draw draw(seed);
    Input in = draw_input(draw, "input", 1e-2, 1e2, 1e-2, 1e2);
    const std::vector<Index> shape = in.x.shape();
    const Index c = shape[1];
    const Index wrong = c + draw.integer(1, 3);
    std::string problem;
    hidden_case(in.name, seed, [&] {
      ForwardNodes nodes = reference(in).nodes;
      bool forward_call = false;
      std::vector<Index> other = shape;
      other[0] += 1;
      switch (k) {
        case 0: forward_call = true; in.x = Tensor({2, c, 2, 2}); problem = "forward: x of rank 4"; break;
        case 1: forward_call = true; in.gamma = Eigen::VectorXd::Ones(wrong); in.beta = Eigen::VectorXd::Zero(c);
                problem = "forward: gamma of length " + std::to_string(wrong); break;
        case 2: forward_call = true; in.x = Tensor(shape.size() == 2 ? std::vector<Index>{1, c} : std::vector<Index>{1, c, 1});
                problem = "forward: one value per channel"; break;
        case 3: in.dy = Tensor(other); problem = "backward: dy of another shape"; break;
        case 4: nodes.xc = Tensor(other); problem = "backward: nodes.xc of another shape"; break;
        case 5: nodes.var = Eigen::VectorXd::Ones(wrong); problem = "backward: nodes.var too long"; break;
        case 6: nodes.rstd = Eigen::VectorXd::Ones(c - 1); problem = "backward: nodes.rstd too short"; break;
        case 7: in.gamma = Eigen::VectorXd::Ones(wrong); problem = "backward: gamma of length " + std::to_string(wrong); break;
        default: problem = "backward: valid"; break;
      }
      SCOPED_TRACE(problem);
      const Origin origin{"the reference solution (hidden case)", in.name + ", " + problem, seed};
      if (forward_call) {
        ForwardNodes want = fresh_nodes(), got = fresh_nodes();
        want.mean = got.mean = Eigen::VectorXd::Constant(3, -4.0);
        const bnkit::grader::Ends ends = bnkit::grader::run_on_both(
            want, got, [&](ForwardNodes& n) { bnkit::batchnorm_forward_nodes(n, in.x, in.gamma, in.beta, in.eps); });
        EXPECT_TRUE(ends.alike("batchnorm_forward_nodes, " + problem));
        using bnkit::grader::kUnchanged;
        EXPECT_TRUE(tensors_match("nodes.mean", to_tensor(got.mean), to_tensor(want.mean), kUnchanged, origin));
        EXPECT_TRUE(tensors_match("nodes.xc", got.xc, want.xc, kUnchanged, origin));
        return;
      }
      NodeGradients want = fresh_grads(), got = fresh_grads();
      want.dmean = got.dmean = Eigen::VectorXd::Constant(2, 4.5);
      const bnkit::grader::Ends ends = bnkit::grader::run_on_both(
          want, got, [&](NodeGradients& g) { bnkit::batchnorm_backward_nodes(g, in.dy, nodes, in.gamma); });
      EXPECT_TRUE(ends.alike("batchnorm_backward_nodes, " + problem));
      EXPECT_TRUE(tensors_match("grads.dmean", to_tensor(got.dmean), to_tensor(want.dmean), Tolerance::gradient(),
                                origin));
      EXPECT_TRUE(tensors_match("grads.dx", got.dx, want.dx, Tolerance::gradient(), origin));
    });
  }
}
