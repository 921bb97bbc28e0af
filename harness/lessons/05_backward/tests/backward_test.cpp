// Lesson 05 tests: the train-mode backward pass, node by node, on (N,C) and (N,C,L) inputs.
//
// The backward tests hand the student's batchnorm_backward_nodes() PyTorch's forward nodes
// (from the golden case), so each gradient is graded on its own, whatever the student's
// forward does. Three oracles: PyTorch's autograd (every node kept with retain_grad()), the
// reference solution (randomized cases), and central differences of the student's own
// forward (gradient_check.hpp). Plus invariants, each paired with a check of dependence.
#include "backward.hpp"
#include "gradient_check.hpp"
#include "lesson_test.hpp"

#include "bnkit/todo.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

namespace {

using bnkit::ForwardNodes;
using bnkit::Index;
using bnkit::NodeGradients;
using bnkit::Tensor;
using bnkit::grader::Case;
using bnkit::grader::Origin;
using bnkit::grader::Tolerance;
using bnkit::grader::matches_case;
using bnkit::grader::shape_mismatch;
using bnkit::grader::tensors_match;
using bnkit::grader::kCancellation;
using bnkit::grader::kHandChecked;
using bnkit::grader::kLargeOffset;
using bnkit::grader::kPassThrough;
using bnkit::grader::kUnchanged;

const char* kLesson = "05_backward";

/// Gradients are compared a little looser than forward values (longer chains of arithmetic).
const Tolerance kGradient = Tolerance::gradient();

Tolerance forward_tolerance(const Case& c) {
  return c.name().rfind("offset_", 0) == 0 ? kLargeOffset : Tolerance::forward();
}

Tensor vec(const Eigen::VectorXd& v) { return bnkit::grader::to_tensor(v); }

bool affine(const Case& c) { return c.text("affine") == "true"; }

/// Fresh outputs to send: every Tensor field of shape [0]. (A default-constructed Tensor has
/// shape [] but no value, which the wire format cannot carry: see the lesson's report.)
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

/// gamma of the case, or empty (not affine).
Eigen::VectorXd gamma_of(const Case& c) { return affine(c) ? c.vector("gamma") : Eigen::VectorXd(); }
Eigen::VectorXd beta_of(const Case& c) { return affine(c) ? c.vector("beta") : Eigen::VectorXd(); }

/// PyTorch's forward nodes of the case: what the backward tests hand to the student.
ForwardNodes nodes_of(const Case& c) {
  ForwardNodes nodes;
  nodes.mean = c.vector("mean");
  nodes.xc = c.tensor("xc");
  nodes.var = c.vector("var");
  nodes.rstd = c.vector("rstd");
  nodes.xhat = c.tensor("xhat");
  return nodes;
}

NodeGradients backward(const Tensor& dy, const ForwardNodes& nodes, const Eigen::VectorXd& gamma) {
  NodeGradients grads = fresh_grads();
  bnkit::batchnorm_backward_nodes(grads, dy, nodes, gamma);
  return grads;
}

NodeGradients backward(const Case& c) { return backward(c.tensor("dy"), nodes_of(c), gamma_of(c)); }

/// The nodes of NodeGradients in graph order, from y back to x.
struct Node {
  const char* name;
  Tensor (*get)(const NodeGradients&);
};
const std::vector<Node>& graph_order() {
  static const std::vector<Node> nodes = {
      {"dbeta", [](const NodeGradients& g) { return vec(g.dbeta); }},
      {"dgamma", [](const NodeGradients& g) { return vec(g.dgamma); }},
      {"dxhat", [](const NodeGradients& g) { return g.dxhat; }},
      {"drstd", [](const NodeGradients& g) { return vec(g.drstd); }},
      {"dxc", [](const NodeGradients& g) { return g.dxc; }},
      {"dmean", [](const NodeGradients& g) { return vec(g.dmean); }},
      {"dx", [](const NodeGradients& g) { return g.dx; }},
  };
  return nodes;
}

/// Compares node `name` of `got` with the case (dgamma and dbeta are empty when not affine).
::testing::AssertionResult node_matches(const Case& c, const NodeGradients& got, const std::string& name) {
  for (const Node& node : graph_order()) {
    if (name != node.name) continue;
    if (!c.has(name)) {  // dbeta, dgamma of a case without affine parameters
      return tensors_match("grads." + name + " (not affine: no gamma, so empty)", node.get(got), vec(Eigen::VectorXd()),
                           kGradient, {c.source(), c.name(), std::nullopt});
    }
    return matches_case("grads." + name, node.get(got), c, name, kGradient);
  }
  return ::testing::AssertionFailure() << "no node " << name;
}

/// Runs the student's backward on every PyTorch case and checks `nodes` of it.
void each_torch_case(const std::vector<std::string>& nodes) {
  bnkit::grader::for_each_case(bnkit::grader::torch_cases(kLesson).cases(), [&](const Case& c) {
    const NodeGradients got = backward(c);
    for (const std::string& name : nodes) EXPECT_TRUE(node_matches(c, got, name));
  });
}

std::string sci(double v) {
  std::ostringstream os;
  os.precision(1);
  os << std::scientific << v;
  return os.str();
}

/// makemore's cmp, one line per node in graph order: exact / close / max difference / shape.
/// Empty when every node is close; else the table, the first wrong node in full, and each
/// wrong node's diagnosis marker.
std::string node_table(const Case& c, const NodeGradients& got) {
  std::ostringstream table;
  std::string first_wrong;
  table << "the backward of case '" << c.name() << "', node by node from y back to x (gradient tolerance "
        << sci(kGradient.atol) << " + " << sci(kGradient.rtol) << " * |expected|):\n"
        << "    node     exact  close  max diff   shape\n";
  for (const Node& node : graph_order()) {
    const Tensor g = node.get(got);
    const Tensor want = c.has(node.name) ? c.tensor(node.name) : vec(Eigen::VectorXd());
    const bool shape_ok = g.shape() == want.shape();
    bool exact = shape_ok, finite = true;
    double max_diff = 0.0;
    if (shape_ok) {
      for (Index i = 0; i < want.numel(); ++i) {
        const double d = std::abs(g.values()[i] - want.values()[i]);
        exact = exact && g.values()[i] == want.values()[i];
        if (std::isfinite(d)) max_diff = std::max(max_diff, d);
        else if (!(std::isnan(g.values()[i]) && std::isnan(want.values()[i]))) finite = false;
      }
    }
    const ::testing::AssertionResult close = node_matches(c, got, node.name);
    std::string name = node.name;
    name.resize(8, ' ');
    table << "    " << name << " " << (exact ? "yes  " : "no   ") << "  " << (close ? "yes  " : "NO   ") << "  "
          << (!shape_ok ? "-        " : finite ? sci(max_diff) + "  " : "inf/nan  ") << " "
          << bnkit::shape_string(want.shape())
          << (shape_ok ? " right" : " wrong: got " + bnkit::shape_string(g.shape()));
    if (!close && first_wrong.empty()) {
      table << "   <- the first node that went wrong";
      first_wrong = close.message();
    }
    // A later wrong node's text is not shown; its comparison has recorded its evidence for
    // the diagnosis all the same (grader/mistakes.hpp), and it goes with this failure.
    table << "\n";
  }
  if (first_wrong.empty()) return "";
  return table.str() + "  " + first_wrong;
}

/// Sentinel outputs a call would never write: to see whether a refused call wrote them.
NodeGradients stale_grads() {
  NodeGradients g;
  g.dbeta = Eigen::VectorXd::Constant(2, 7.5);
  g.dgamma = Eigen::VectorXd::Constant(1, -3.0);
  g.dxhat = Tensor({2, 2}, Eigen::VectorXd::Constant(4, 9.5));
  g.drstd = Eigen::VectorXd::Constant(3, 0.25);
  g.dxc = Tensor({1, 3}, Eigen::VectorXd::Constant(3, -1.5));
  g.dmean = Eigen::VectorXd::Constant(4, 4.0);
  g.dx = Tensor({3, 1, 2}, Eigen::VectorXd::Constant(6, 2.5));
  return g;
}

ForwardNodes stale_nodes() {
  ForwardNodes n;
  n.mean = Eigen::VectorXd::Constant(5, -4.0);
  n.xc = Tensor({2, 2}, Eigen::VectorXd::Constant(4, 9.5));
  n.var = Eigen::VectorXd::Constant(1, 0.25);
  n.rstd = Eigen::VectorXd::Constant(2, 3.0);
  n.xhat = Tensor({1, 2, 3}, Eigen::VectorXd::Constant(6, -2.0));
  return n;
}

void expect_same_grads(const NodeGradients& got, const NodeGradients& want, const Origin& origin) {
  for (const Node& node : graph_order()) {
    EXPECT_TRUE(tensors_match(std::string("grads.") + node.name, node.get(got), node.get(want), kUnchanged, origin));
  }
}

void expect_same_nodes(const ForwardNodes& got, const ForwardNodes& want, const Origin& origin) {
  const Tolerance same = kUnchanged;
  EXPECT_TRUE(tensors_match("nodes.mean", vec(got.mean), vec(want.mean), same, origin));
  EXPECT_TRUE(tensors_match("nodes.xc", got.xc, want.xc, same, origin));
  EXPECT_TRUE(tensors_match("nodes.var", vec(got.var), vec(want.var), same, origin));
  EXPECT_TRUE(tensors_match("nodes.rstd", vec(got.rstd), vec(want.rstd), same, origin));
  EXPECT_TRUE(tensors_match("nodes.xhat", got.xhat, want.xhat, same, origin));
}

Tensor random_tensor(std::vector<Index> shape, std::uint64_t seed, double offset = 0.0, double scale = 1.0) {
  Tensor t(std::move(shape));
  t.values() = bnkit::grader::random_normal(t.numel(), 1, seed, offset, scale);
  return t;
}

/// A tensor of `shape` whose channel c is `fill(c, view)`.
Tensor per_channel(const Tensor& like, const std::function<Eigen::MatrixXd(Index)>& fill) {
  Tensor t(like.shape());
  for (Index c = 0; c < like.dim(1); ++c) t.channel(c) = fill(c);
  return t;
}

}  // namespace

BNKIT_TEST(BatchNormBackward, HandCheckedNumbers, 2) {
  // x = [1, 3, 5] (one channel), eps = 0, gamma = 1, dy = [1, 0, 0]. Forward: mean 3,
  // xc = [-2, 0, 2], var = 8/3, rstd = sqrt(3/8), xhat = rstd * xc. Backward (README):
  // dxhat = dy, drstd = -2, dvar = rstd^3, dxc = rstd/2 * [1, 0, 1], dmean = -rstd,
  // dx = rstd/6 * [1, -2, 1], dgamma = -2 rstd, dbeta = 1.
  const double r = std::sqrt(3.0 / 8.0);
  ForwardNodes nodes;
  nodes.mean = Eigen::VectorXd::Constant(1, 3.0);
  nodes.xc = Tensor({3, 1}, Eigen::Vector3d(-2, 0, 2));
  nodes.var = Eigen::VectorXd::Constant(1, 8.0 / 3.0);
  nodes.rstd = Eigen::VectorXd::Constant(1, r);
  nodes.xhat = Tensor({3, 1}, Eigen::Vector3d(-2 * r, 0, 2 * r));
  const Tensor dy({3, 1}, Eigen::Vector3d(1, 0, 0));
  const NodeGradients g = backward(dy, nodes, Eigen::VectorXd::Ones(1));
  const Origin hand{"hand-checked (lesson 05 README, 'Check by hand')", "", std::nullopt};
  const Tolerance tight = kHandChecked;
  EXPECT_TRUE(tensors_match("grads.dbeta", vec(g.dbeta), vec(Eigen::VectorXd::Constant(1, 1.0)), tight, hand));
  EXPECT_TRUE(tensors_match("grads.dgamma", vec(g.dgamma), vec(Eigen::VectorXd::Constant(1, -2 * r)), tight, hand));
  EXPECT_TRUE(tensors_match("grads.dxhat", g.dxhat, dy, tight, hand));
  EXPECT_TRUE(tensors_match("grads.drstd", vec(g.drstd), vec(Eigen::VectorXd::Constant(1, -2.0)), tight, hand));
  EXPECT_TRUE(tensors_match("grads.dxc", g.dxc, Tensor({3, 1}, Eigen::Vector3d(r / 2, 0, r / 2)), tight, hand));
  EXPECT_TRUE(tensors_match("grads.dmean", vec(g.dmean), vec(Eigen::VectorXd::Constant(1, -r)), tight, hand));
  EXPECT_TRUE(tensors_match("grads.dx", g.dx, Tensor({3, 1}, Eigen::Vector3d(r / 6, -r / 3, r / 6)), tight, hand));
}

BNKIT_TEST(BatchNormBackward, ForwardNodesMatchPyTorch, 3) {
  bnkit::grader::for_each_case(bnkit::grader::torch_cases(kLesson).cases(), [](const Case& c) {
    ForwardNodes nodes = fresh_nodes();
    const Tensor y = bnkit::batchnorm_forward_nodes(nodes, c.tensor("x"), gamma_of(c), beta_of(c), c.scalar("eps"));
    const Tolerance tol = forward_tolerance(c);
    EXPECT_TRUE(matches_case("nodes.mean", nodes.mean, c, "mean", tol));
    EXPECT_TRUE(matches_case("nodes.xc", nodes.xc, c, "xc", tol));
    EXPECT_TRUE(matches_case("nodes.var", nodes.var, c, "var", tol));
    EXPECT_TRUE(matches_case("nodes.rstd", nodes.rstd, c, "rstd", tol));
    EXPECT_TRUE(matches_case("nodes.xhat", nodes.xhat, c, "xhat", tol));
    EXPECT_TRUE(matches_case("y", y, c, "y", tol));
  });
}

BNKIT_TEST(BatchNormBackward, ForwardStableAtLargeOffset, 1) {
  // Channels near 1e5 and -5e4 with a spread near 1: the variance needs two passes (mean
  // first, then the squares of xc), as in lessons 01 and 02.
  for (const Case& c : bnkit::grader::torch_cases(kLesson).cases()) {
    if (c.name().rfind("offset_", 0) != 0) continue;
    SCOPED_TRACE("case " + c.name());
    const Tensor& x = c.tensor("x");
    Eigen::VectorXd one_pass(x.dim(1));
    for (Index ch = 0; ch < x.dim(1); ++ch) {
      const double mean = x.channel(ch).mean();
      one_pass[ch] = x.channel(ch).array().square().mean() - mean * mean;
    }
    ASSERT_FALSE(tensors_match("var", vec(one_pass), c.tensor("var"), kLargeOffset, {}))
        << "premise of this test: the one-pass formula must fail on this data";
    bnkit::grader::guarded([&] {
      ForwardNodes nodes = fresh_nodes();
      const Tensor y = bnkit::batchnorm_forward_nodes(nodes, x, gamma_of(c), beta_of(c), c.scalar("eps"));
      EXPECT_TRUE(matches_case("nodes.var", nodes.var, c, "var", kLargeOffset));
      EXPECT_TRUE(matches_case("nodes.xhat", nodes.xhat, c, "xhat", kLargeOffset));
      EXPECT_TRUE(matches_case("y", y, c, "y", kLargeOffset));
    });
  }
}

BNKIT_TEST(BatchNormBackward, EveryNodeMatchesPyTorch, 2) {
  // One report per case, one line per node in graph order, so the first node that went
  // wrong stands out (the nodes after it are usually wrong because of it).
  bnkit::grader::for_each_case(bnkit::grader::torch_cases(kLesson).cases(), [](const Case& c) {
    const std::string table = node_table(c, backward(c));
    if (!table.empty()) ADD_FAILURE() << table;
  });
}

BNKIT_TEST(BatchNormBackward, DbetaDgammaMatchPyTorch, 2) { each_torch_case({"dbeta", "dgamma"}); }

BNKIT_TEST(BatchNormBackward, DxhatMatchesPyTorch, 2) { each_torch_case({"dxhat"}); }

BNKIT_TEST(BatchNormBackward, DrstdMatchesPyTorch, 2) { each_torch_case({"drstd"}); }

BNKIT_TEST(BatchNormBackward, DxcMatchesPyTorch, 3) { each_torch_case({"dxc"}); }

BNKIT_TEST(BatchNormBackward, DmeanMatchesPyTorch, 2) { each_torch_case({"dmean"}); }

BNKIT_TEST(BatchNormBackward, DxMatchesPyTorch, 3) { each_torch_case({"dx"}); }

BNKIT_TEST(BatchNormBackward, ReferenceRandomizedCases, 2) {
  // Wide, long, two values per channel, one channel, a batch of one with L = 2.
  bnkit::grader::for_each_case(bnkit::grader::reference_cases(kLesson).cases(), [](const Case& c) {
    ForwardNodes nodes = fresh_nodes();
    const Tensor y = bnkit::batchnorm_forward_nodes(nodes, c.tensor("x"), gamma_of(c), beta_of(c), c.scalar("eps"));
    EXPECT_TRUE(matches_case("y", y, c, "y"));
    EXPECT_TRUE(matches_case("nodes.xc", nodes.xc, c, "xc"));
    EXPECT_TRUE(matches_case("nodes.rstd", nodes.rstd, c, "rstd"));
    const NodeGradients got = backward(c);
    for (const Node& node : graph_order()) EXPECT_TRUE(node_matches(c, got, node.name));
  });
}

BNKIT_TEST(BatchNormBackward, DxSumsToZeroAndIsOrthogonalToXhat, 2) {
  // Invariants, per channel over N and L: sum(dx) = 0 (y does not change when every x of a
  // channel moves together) and, with eps = 0, sum(dx * xhat) = 0 (nor when they are scaled
  // about their mean; eps > 0 breaks that by a factor eps / (var + eps), see the README). So
  // the nodes here are PyTorch's xc and var with eps = 0: rstd = 1 / sqrt(var).
  // A dx of zeros has both, so dx must also depend on dy: the backward is
  // dx = gamma * rstd * (dy - mean(dy) - xhat * mean(dy * xhat)), so a dy with no component
  // along 1 or xhat passes through as gamma * rstd * dy, and one made of 1 and xhat only
  // gives dx = 0.
  for (const char* name : {"random_16x4", "ncl_4x3x5", "ncl_not_affine_3x2x4", "offset_1e5_16x3"}) {
    const Case& c = bnkit::grader::torch_cases(kLesson).at(name);
    SCOPED_TRACE("case " + c.name() + ", eps = 0");
    const std::uint64_t seed = 51;
    ForwardNodes nodes = nodes_of(c);
    nodes.rstd = nodes.var.cwiseSqrt().cwiseInverse();
    for (Index ch = 0; ch < nodes.rstd.size(); ++ch) nodes.xhat.channel(ch) = nodes.xc.channel(ch) * nodes.rstd[ch];
    const Eigen::VectorXd gamma = gamma_of(c);
    const Eigen::VectorXd scale =
        affine(c) ? Eigen::VectorXd(gamma.cwiseProduct(nodes.rstd)) : Eigen::VectorXd(nodes.rstd);
    const Tensor dy = random_tensor(c.tensor("dy").shape(), seed);
    // dy without its components along 1 and xhat, channel by channel.
    const Tensor free_dy = per_channel(dy, [&](Index ch) {
      const Eigen::ArrayXXd xh = nodes.xhat.channel(ch).array();
      const Eigen::ArrayXXd centred = dy.channel(ch).array() - dy.channel(ch).mean();
      return Eigen::MatrixXd(centred - xh * ((centred * xh).sum() / xh.square().sum()));
    });
    const Tensor span_dy = per_channel(dy, [&](Index ch) {
      return Eigen::MatrixXd(1.5 - 0.5 * ch - (ch + 2.0) * nodes.xhat.channel(ch).array());
    });
    bnkit::grader::guarded([&] {
      const NodeGradients g = backward(dy, nodes, gamma);
      Eigen::VectorXd sums(scale.size()), dots(scale.size());
      for (Index ch = 0; ch < scale.size(); ++ch) {
        sums[ch] = g.dx.channel(ch).sum();
        dots[ch] = (g.dx.channel(ch).array() * nodes.xhat.channel(ch).array()).sum();
      }
      const Origin invariant{"the invariant sum(dx) = 0 per channel", c.name(), seed};
      const Origin orthogonal{"the invariant sum(dx * xhat) = 0 per channel", c.name(), seed};
      EXPECT_TRUE(tensors_match("sum of dx over N and L", vec(sums), vec(Eigen::VectorXd::Zero(sums.size())),
                                kCancellation, invariant));
      EXPECT_TRUE(tensors_match("sum of dx * xhat over N and L", vec(dots), vec(Eigen::VectorXd::Zero(dots.size())),
                                kCancellation, orthogonal));

      const NodeGradients free = backward(free_dy, nodes, gamma);
      const Tensor passed = per_channel(dy, [&](Index ch) { return Eigen::MatrixXd(free_dy.channel(ch) * scale[ch]); });
      EXPECT_TRUE(tensors_match("dx for a dy with no component along 1 or xhat", free.dx, passed, kPassThrough,
                                {"dependence: such a dy passes through as gamma * rstd * dy", c.name(), seed}));
      const NodeGradients span = backward(span_dy, nodes, gamma);
      EXPECT_TRUE(tensors_match("dx for dy = a + b * xhat", span.dx, Tensor(dy.shape()), kCancellation,
                                {"dependence: a dy along 1 and xhat only changes nothing BN lets through", c.name(),
                                 seed}));
    });
  }
}

BNKIT_TEST(BatchNormBackward, AgreesWithCentralDifferences, 3) {
  // An oracle of its own: L = sum(dy * y) through YOUR forward, differentiated numerically,
  // against YOUR backward of YOUR forward's nodes. (Consistent, so this test cannot tell a
  // wrong convention made the same way in both, such as N - 1: PyTorch's tests do.)
  struct Config {
    const char* name;
    std::vector<Index> shape;
    bool affine;
    double eps, offset;
    std::uint64_t seed;
  };
  for (const Config& k : {Config{"nc_5x3_affine", {5, 3}, true, 1e-5, 0.5, 61},
                          Config{"ncl_3x2x4_not_affine", {3, 2, 4}, false, 1e-3, -1.0, 62},
                          Config{"offset_1e4_ncl_2x2x3_affine", {2, 2, 3}, true, 1e-5, 1e4, 63}}) {
    SCOPED_TRACE(std::string("case ") + k.name);
    const Tensor x = random_tensor(k.shape, k.seed, k.offset, 1.0);
    const Tensor dy = random_tensor(k.shape, k.seed + 1);
    const Index c = k.shape[1];
    const Eigen::VectorXd gamma = k.affine ? bnkit::grader::random_uniform(c, k.seed + 2, -2.0, 2.0) : Eigen::VectorXd();
    const Eigen::VectorXd beta = k.affine ? bnkit::grader::random_uniform(c, k.seed + 3, -1.0, 1.0) : Eigen::VectorXd();
    const double h = 1e-5;
    bnkit::grader::guarded([&] {
      using bnkit::grader::dot;
      using bnkit::grader::numerical_gradient;
      ForwardNodes nodes = fresh_nodes();
      const auto loss = [&](const Tensor& xp, const Eigen::VectorXd& g, const Eigen::VectorXd& b) {
        ForwardNodes scratch = fresh_nodes();
        return dot(dy, bnkit::batchnorm_forward_nodes(scratch, xp, g, b, k.eps));
      };
      bnkit::batchnorm_forward_nodes(nodes, x, gamma, beta, k.eps);
      const NodeGradients g = backward(dy, nodes, gamma);
      const auto origin = [&](const char* of) {
        return bnkit::grader::central_differences_origin(h, k.seed, of, k.name);
      };
      EXPECT_TRUE(tensors_match("grads.dx", g.dx,
                                numerical_gradient([&](const Tensor& xp) { return loss(xp, gamma, beta); }, x, h),
                                bnkit::grader::gradient_check_tolerance(), origin("sum(dy * y) in x, y from your forward")));
      if (!k.affine) return;
      const Eigen::VectorXd dgamma =
          numerical_gradient([&](const Eigen::VectorXd& gp) { return loss(x, gp, beta); }, gamma, h);
      const Eigen::VectorXd dbeta =
          numerical_gradient([&](const Eigen::VectorXd& bp) { return loss(x, gamma, bp); }, beta, h);
      EXPECT_TRUE(tensors_match("grads.dgamma", vec(g.dgamma), vec(dgamma), bnkit::grader::gradient_check_tolerance(),
                                origin("sum(dy * y) in gamma, y from your forward")));
      EXPECT_TRUE(tensors_match("grads.dbeta", vec(g.dbeta), vec(dbeta), bnkit::grader::gradient_check_tolerance(),
                                origin("sum(dy * y) in beta, y from your forward")));
    });
  }
}

// The contract fixes these messages word for word; the numbers must come from the call.
BNKIT_TEST(BatchNormBackward, ForwardRejectsBadInput, 1) {
  using bnkit::grader::throws_invalid_argument;
  const auto forward = [](const Tensor& x, const Eigen::VectorXd& gamma, const Eigen::VectorXd& beta) {
    ForwardNodes nodes = fresh_nodes();
    bnkit::batchnorm_forward_nodes(nodes, x, gamma, beta);
  };
  const Eigen::VectorXd none;
  EXPECT_TRUE(bnkit::grader::accepts([&] { forward(random_tensor({2, 3}, 71), none, none); },
                                     "a batch of two without gamma and beta (not affine)"));
  EXPECT_TRUE(bnkit::grader::accepts(
      [&] { forward(random_tensor({1, 3, 2}, 72), Eigen::VectorXd::Ones(3), Eigen::VectorXd::Zero(3)); },
      "one sample of length 2 (M = 2)"));
  EXPECT_TRUE(throws_invalid_argument([&] { forward(random_tensor({2, 3, 2, 2}, 73), none, none); },
                                      "expected 2D or 3D input (got 4D input)"));
  EXPECT_TRUE(throws_invalid_argument([&] { forward(random_tensor({6}, 74), none, none); },
                                      "expected 2D or 3D input (got 1D input)"));
  for (Index c : {3, 5}) {
    const std::string cs = std::to_string(c);
    EXPECT_TRUE(throws_invalid_argument(
        [&] { forward(random_tensor({4, c}, 75), Eigen::VectorXd::Ones(c + 1), Eigen::VectorXd::Zero(c)); },
        "gamma should contain " + cs + " elements not " + std::to_string(c + 1)));
    EXPECT_TRUE(throws_invalid_argument(
        [&] { forward(random_tensor({4, c, 2}, 76), Eigen::VectorXd::Ones(c), none); },
        "beta should contain " + cs + " elements not 0"));
    EXPECT_TRUE(throws_invalid_argument(
        [&] { forward(random_tensor({4, c}, 77), none, Eigen::VectorXd::Zero(c)); },
        "gamma should contain " + cs + " elements not 0"));
    EXPECT_TRUE(throws_invalid_argument([&] { forward(random_tensor({1, c}, 78), none, none); },
                                        "Expected more than 1 value per channel when training, got input size [1, " +
                                            cs + "]"));
    EXPECT_TRUE(throws_invalid_argument([&] { forward(random_tensor({1, c, 1}, 79), none, none); },
                                        "Expected more than 1 value per channel when training, got input size [1, " +
                                            cs + ", 1]"));
  }
}

BNKIT_TEST(BatchNormBackward, BackwardRejectsBadInput, 2) {
  using bnkit::grader::throws_invalid_argument;
  for (const char* name : {"random_16x4", "ncl_4x3x5"}) {
    const Case& c = bnkit::grader::torch_cases(kLesson).at(name);
    SCOPED_TRACE("case " + c.name());
    const ForwardNodes nodes = nodes_of(c);
    const Tensor& dy = c.tensor("dy");
    const std::vector<Index> shape = dy.shape();
    const Index channels = shape[1];
    const std::string cs = std::to_string(channels);
    std::vector<Index> fewer = shape, wider = shape;
    fewer[0] -= 1;
    wider[1] += 1;
    EXPECT_TRUE(bnkit::grader::accepts([&] { backward(dy, nodes, gamma_of(c)); }, "PyTorch's nodes and dy"));
    EXPECT_TRUE(bnkit::grader::accepts([&] { backward(dy, nodes, Eigen::VectorXd()); },
                                       "an empty gamma (not affine)"));
    ForwardNodes rank4 = nodes;
    rank4.xhat = Tensor({2, channels, 2, 2});
    EXPECT_TRUE(throws_invalid_argument([&] { backward(dy, rank4, gamma_of(c)); },
                                        "expected 2D or 3D input (got 4D input)"));
    for (const std::vector<Index>& bad : {fewer, wider}) {
      EXPECT_TRUE(throws_invalid_argument([&] { backward(Tensor(bad), nodes, gamma_of(c)); },
                                          shape_mismatch(bad, shape, "dy")));
      ForwardNodes odd = nodes;
      odd.xc = Tensor(bad);
      EXPECT_TRUE(throws_invalid_argument([&] { backward(dy, odd, gamma_of(c)); },
                                          shape_mismatch(bad, shape, "nodes.xc")));
    }
    ForwardNodes short_var = nodes, long_rstd = nodes;
    short_var.var = Eigen::VectorXd::Ones(channels - 1);
    long_rstd.rstd = Eigen::VectorXd::Ones(channels + 2);
    EXPECT_TRUE(throws_invalid_argument([&] { backward(dy, short_var, gamma_of(c)); },
                                        "nodes.var should contain " + cs + " elements not " +
                                            std::to_string(channels - 1)));
    EXPECT_TRUE(throws_invalid_argument([&] { backward(dy, long_rstd, gamma_of(c)); },
                                        "nodes.rstd should contain " + cs + " elements not " +
                                            std::to_string(channels + 2)));
    EXPECT_TRUE(throws_invalid_argument([&] { backward(dy, nodes, Eigen::VectorXd::Ones(channels + 1)); },
                                        "gamma should contain " + cs + " elements not " +
                                            std::to_string(channels + 1)));
  }
}

BNKIT_TEST(BatchNormBackward, RejectedCallsChangeNothing, 1) {
  // Check everything, then write: a refused call leaves nodes and grads as they were (here:
  // values no call would write). Code that refuses everything earns nothing here.
  const Case& c = bnkit::grader::torch_cases(kLesson).at("ncl_4x3x5");
  const ForwardNodes nodes = nodes_of(c);
  const Tensor& dy = c.tensor("dy");
  const Eigen::VectorXd gamma = gamma_of(c), beta = beta_of(c);
  EXPECT_TRUE(bnkit::grader::accepts([&] { backward(dy, nodes, gamma); }, "PyTorch's nodes and dy"));
  EXPECT_TRUE(bnkit::grader::accepts(
      [&] {
        ForwardNodes out = stale_nodes();
        bnkit::batchnorm_forward_nodes(out, c.tensor("x"), gamma, beta);
      },
      "the case's x, gamma and beta"));

  struct ForwardCall {
    const char* what;
    Tensor x;
    Eigen::VectorXd gamma, beta;
  };
  for (const ForwardCall& f : {ForwardCall{"forward: x of rank 4", Tensor({2, 3, 2, 2}), gamma, beta},
                               ForwardCall{"forward: gamma of length 2 for 3 channels", c.tensor("x"),
                                           Eigen::VectorXd::Ones(2), beta},
                               ForwardCall{"forward: a batch of one, x of shape [1, 3, 1]",
                                           random_tensor({1, 3, 1}, 81), gamma, beta}}) {
    SCOPED_TRACE(f.what);
    const ForwardNodes given = stale_nodes();
    ForwardNodes got = given;
    EXPECT_TRUE(bnkit::grader::throws_invalid_argument(
        [&] { bnkit::batchnorm_forward_nodes(got, f.x, f.gamma, f.beta); }, std::vector<std::string>{}));
    expect_same_nodes(got, given, {"nodes as they were before the call: a refused call writes nothing", f.what,
                                   std::nullopt});
  }

  ForwardNodes bad_xc = nodes, bad_rstd = nodes;
  bad_xc.xc = Tensor({4, 3, 4});
  bad_rstd.rstd = Eigen::VectorXd::Ones(2);
  struct BackwardCall {
    const char* what;
    Tensor dy;
    const ForwardNodes* nodes;
    Eigen::VectorXd gamma;
  };
  for (const BackwardCall& b :
       {BackwardCall{"backward: dy of shape [4, 3, 4]", Tensor({4, 3, 4}), &nodes, gamma},
        BackwardCall{"backward: nodes.xc of shape [4, 3, 4]", dy, &bad_xc, gamma},
        BackwardCall{"backward: nodes.rstd of length 2", dy, &bad_rstd, gamma},
        BackwardCall{"backward: gamma of length 4 for 3 channels", dy, &nodes, Eigen::VectorXd::Ones(4)}}) {
    SCOPED_TRACE(b.what);
    const NodeGradients given = stale_grads();
    NodeGradients got = given;
    EXPECT_TRUE(bnkit::grader::throws_invalid_argument(
        [&] { bnkit::batchnorm_backward_nodes(got, b.dy, *b.nodes, b.gamma); }, std::vector<std::string>{}));
    expect_same_grads(got, given, {"grads as they were before the call: a refused call writes nothing", b.what,
                                   std::nullopt});
  }
}
