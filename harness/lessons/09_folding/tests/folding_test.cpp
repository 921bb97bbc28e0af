// Lesson 09 tests: folding an eval-mode BatchNorm into the Linear / Conv2d before it.
#include "folding.hpp"
#include "lesson_test.hpp"

#include "bnkit/todo.hpp"

#include <cmath>

#include <string>
#include <vector>

namespace {

using bnkit::FoldedConv2d;
using bnkit::FoldedLinear;
using bnkit::Index;
using bnkit::Tensor;
using bnkit::TrainedBatchNorm;
using bnkit::grader::Case;
using bnkit::grader::Origin;
using bnkit::grader::Tolerance;
using bnkit::grader::matches_case;
using bnkit::grader::tensors_match;
using bnkit::grader::throws_invalid_argument;
using bnkit::grader::kFoldedBias;
using bnkit::grader::kHandChecked;

const char* kLesson = "09_folding";

const Case& torch_case(const std::string& name) { return bnkit::grader::torch_cases(kLesson).at(name); }

Tensor vec(const Eigen::VectorXd& v) { return bnkit::grader::to_tensor(v); }

TrainedBatchNorm bn_for(const Case& c, bool training = false) {
  TrainedBatchNorm bn;
  if (c.text("affine") == "true") {
    bn.gamma = c.vector("gamma");
    bn.beta = c.vector("beta");
  }
  bn.running_mean = c.vector("running_mean");
  bn.running_var = c.vector("running_var");
  bn.eps = c.scalar("eps");
  bn.training = training;
  return bn;
}

Eigen::VectorXd bias_for(const Case& c) { return c.text("bias") == "true" ? c.vector("b") : Eigen::VectorXd(); }

/// The trusted side's Conv2d: stride 1, no padding. x (N,in,H,W), weight (out,in,kh,kw).
Tensor conv2d(const Tensor& x, const Tensor& w, const Eigen::VectorXd& b) {
  const Index n = x.dim(0), in = x.dim(1), h = x.dim(2), wd = x.dim(3);
  const Index out = w.dim(0), kh = w.dim(2), kw = w.dim(3);
  Tensor y({n, out, h - kh + 1, wd - kw + 1});
  const auto at = [](const Tensor& t, Index a, Index b2, Index c, Index d) {
    return t.values()[((a * t.dim(1) + b2) * t.dim(2) + c) * t.dim(3) + d];
  };
  for (Index s = 0; s < n; ++s)
    for (Index o = 0; o < out; ++o)
      for (Index i = 0; i < y.dim(2); ++i)
        for (Index j = 0; j < y.dim(3); ++j) {
          double acc = b[o];
          for (Index ci = 0; ci < in; ++ci)
            for (Index p = 0; p < kh; ++p)
              for (Index q = 0; q < kw; ++q) acc += at(w, o, ci, p, q) * at(x, s, ci, i + p, j + q);
          y.values()[((s * out + o) * y.dim(2) + i) * y.dim(3) + j] = acc;
        }
  return y;
}

const std::vector<std::string> kLinear = {"hand_linear",         "linear_4x3",
                                          "linear_square_5x5",   "linear_no_bias",
                                          "linear_affine_false", "linear_no_bias_affine_false",
                                          "linear_large_running_mean", "linear_small_running_var"};
const std::vector<std::string> kConv = {"conv_3x2_k3", "conv_square_4x4_k2", "conv_no_bias_k1x3",
                                        "conv_affine_false", "conv_large_running_mean"};

Tolerance tol_for(const Case& c) {
  return c.name().find("large") != std::string::npos ? kFoldedBias : Tolerance::forward();
}

void expect_linear_fold(const Case& c) {
  SCOPED_TRACE("case " + c.name());
  const FoldedLinear f = bnkit::fold_linear_bn(c.matrix("weight"), bias_for(c), bn_for(c));
  EXPECT_TRUE(matches_case("folded weight", f.weight, c, "folded_weight"));
  EXPECT_TRUE(matches_case("folded bias", f.bias, c, "folded_bias", tol_for(c)));
}

}  // namespace

// ------------------------------------------------------------------------------- the scale

BNKIT_TEST(FoldScale, HandNumbers, 1) {
  // The README: gamma = [2, 1], running_var = [3, 15], eps = 1 -> s = [2/2, 1/4].
  TrainedBatchNorm bn;
  bn.gamma = Eigen::Vector2d(2.0, 1.0);
  bn.beta = Eigen::Vector2d(0.5, -1.0);
  bn.running_mean = Eigen::Vector2d(3.0, 2.0);
  bn.running_var = Eigen::Vector2d(3.0, 15.0);
  bn.eps = 1.0;
  const Origin hand{"hand-checked (lesson 09 README)", "", std::nullopt};
  EXPECT_TRUE(tensors_match("s", vec(bnkit::fold_scale(bn)), vec(Eigen::Vector2d(1.0, 0.25)), kHandChecked, hand,
                            {{"fold_eps_outside_sqrt", vec(Eigen::Vector2d(2.0 / (std::sqrt(3.0) + 1.0),
                                                                           1.0 / (std::sqrt(15.0) + 1.0)))},
                             {"fold_scale_inverted", vec(Eigen::Vector2d(4.0, 4.0))}}));
  bn.gamma.resize(0);
  bn.beta.resize(0);
  EXPECT_TRUE(tensors_match("s (affine = false: gamma = 1)", vec(bnkit::fold_scale(bn)),
                            vec(Eigen::Vector2d(0.5, 0.25)), kHandChecked, hand));
}

BNKIT_TEST(FoldScale, MatchesPyTorch, 1) {
  // Small running variances (1e-4..1e-3) make eps's place in the formula visible.
  for (const char* name : {"linear_4x3", "linear_affine_false", "linear_small_running_var",
                           "conv_square_4x4_k2"}) {
    const Case& c = torch_case(name);
    EXPECT_TRUE(matches_case("s", bnkit::fold_scale(bn_for(c)), c, "s"));
  }
}

// ------------------------------------------------------------------------------- Linear

BNKIT_TEST(FoldLinear, MatchesTorchFuseLinearBnEval, 2) {
  for (const char* name : {"hand_linear", "linear_4x3", "linear_square_5x5", "linear_small_running_var"}) {
    expect_linear_fold(torch_case(name));
  }
}

BNKIT_TEST(FoldLinear, NoBiasAndAffineFalse, 2) {
  // bias=False: b = 0 in b' = s * (b - running_mean) + beta (and b' is still there).
  // affine=False: gamma = 1, beta = 0.
  for (const char* name : {"linear_no_bias", "linear_affine_false", "linear_no_bias_affine_false"}) {
    expect_linear_fold(torch_case(name));
  }
}

BNKIT_TEST(FoldLinear, LargeRunningMean, 1) {
  // running_mean ~ 1e4 and a bias close to it, as after training: b - running_mean is small.
  expect_linear_fold(torch_case("linear_large_running_mean"));
}

BNKIT_TEST(FoldLinear, FoldedLayerEqualsLinearThenBatchNorm, 1) {
  // The point of folding: x W'^T + b' is PyTorch's bn(linear(x)) in eval mode, on every case.
  for (const std::string& name : kLinear) {
    const Case& c = torch_case(name);
    SCOPED_TRACE("case " + name);
    const FoldedLinear f = bnkit::fold_linear_bn(c.matrix("weight"), bias_for(c), bn_for(c));
    const Eigen::MatrixXd x = c.matrix("x");
    if (f.weight.rows() != c.matrix("weight").rows() || f.weight.cols() != x.cols() ||
        f.bias.size() != f.weight.rows()) {
      ADD_FAILURE() << "the folded layer has weight " << f.weight.rows() << "x" << f.weight.cols() << " and bias "
                    << f.bias.size() << "; expected the Linear's shape and a bias of length out";
      continue;
    }
    Eigen::MatrixXd y = x * f.weight.transpose();
    y.rowwise() += f.bias.transpose();
    EXPECT_TRUE(matches_case("x W'^T + b'", y, c, "y_eval", tol_for(c)));
  }
}

// ------------------------------------------------------------------------------- Conv2d

BNKIT_TEST(FoldConv, MatchesTorchFuseConvBnEval, 2) {
  for (const std::string& name : kConv) {
    const Case& c = torch_case(name);
    SCOPED_TRACE("case " + name);
    const FoldedConv2d f = bnkit::fold_conv_bn(c.tensor("weight"), bias_for(c), bn_for(c));
    EXPECT_TRUE(matches_case("folded weight", f.weight, c, "folded_weight"));
    EXPECT_TRUE(matches_case("folded bias", f.bias, c, "folded_bias", tol_for(c)));
  }
}

BNKIT_TEST(FoldConv, FoldedConvEqualsConvThenBatchNorm, 1) {
  for (const std::string& name : kConv) {
    const Case& c = torch_case(name);
    SCOPED_TRACE("case " + name);
    const FoldedConv2d f = bnkit::fold_conv_bn(c.tensor("weight"), bias_for(c), bn_for(c));
    if (f.weight.shape() != c.tensor("weight").shape() || f.bias.size() != f.weight.dim(0)) {
      ADD_FAILURE() << "the folded conv has weight " << bnkit::shape_string(f.weight.shape()) << " and bias "
                    << f.bias.size() << "; expected the conv's weight shape and a bias of length out";
      continue;
    }
    EXPECT_TRUE(matches_case("conv2d(x, W', b')", conv2d(c.tensor("x"), f.weight, f.bias), c, "y_eval",
                             tol_for(c)));
  }
}

// ------------------------------------------------------------------------------- modes

BNKIT_TEST(LinearThenBatchNorm, EvalUsesRunningStatistics, 2) {
  for (const std::string& name : kLinear) {
    const Case& c = torch_case(name);
    SCOPED_TRACE("case " + name);
    EXPECT_TRUE(matches_case("y (eval)", bnkit::linear_bn_forward(c.matrix("x"), c.matrix("weight"), bias_for(c),
                                                                  bn_for(c)),
                             c, "y_eval", tol_for(c)));
  }
}

BNKIT_TEST(LinearThenBatchNorm, TrainModeWastesTheBias, 2) {
  // Train mode: PyTorch's output, and the same output whatever the bias (it cancels with
  // the batch mean). This is why train-mode BN cannot be folded: its statistics are the batch's.
  for (const char* name : {"hand_linear", "linear_4x3", "linear_affine_false", "linear_large_running_mean"}) {
    const Case& c = torch_case(name);
    SCOPED_TRACE("case " + std::string(name));
    const TrainedBatchNorm bn = bn_for(c, true);
    const Eigen::MatrixXd y = bnkit::linear_bn_forward(c.matrix("x"), c.matrix("weight"), bias_for(c), bn);
    EXPECT_TRUE(matches_case("y (train)", y, c, "y_train", Tolerance::gradient()));
    const Eigen::VectorXd other = Eigen::VectorXd::LinSpaced(c.matrix("weight").rows(), -7.0, 5.0);
    const Eigen::MatrixXd y2 = bnkit::linear_bn_forward(c.matrix("x"), c.matrix("weight"), other, bn);
    const Origin invariant{"the invariant: in train mode a bias before BatchNorm cancels", name, std::nullopt};
    EXPECT_TRUE(tensors_match("y (train) with another bias", bnkit::grader::to_tensor(y2),
                              bnkit::grader::to_tensor(y), Tolerance::gradient(), invariant));
  }
}

// ------------------------------------------------------------------------------- errors

BNKIT_TEST(FoldErrors, TrainModeRefused, 1) {
  const Case& c = torch_case("linear_4x3");
  EXPECT_TRUE(throws_invalid_argument(
      [&] { bnkit::fold_linear_bn(c.matrix("weight"), bias_for(c), bn_for(c, true)); }, "Fusion only for eval!"));
  const Case& k = torch_case("conv_3x2_k3");
  EXPECT_TRUE(throws_invalid_argument(
      [&] { bnkit::fold_conv_bn(k.tensor("weight"), bias_for(k), bn_for(k, true)); }, "Fusion only for eval!"));
}

BNKIT_TEST(FoldErrors, ChecksInContractOrder, 2) {
  TrainedBatchNorm bn;
  bn.gamma = Eigen::VectorXd::Ones(3);
  bn.beta = Eigen::VectorXd::Zero(3);
  bn.running_mean = Eigen::VectorXd::Zero(3);
  bn.running_var = Eigen::VectorXd::Ones(3);
  const Eigen::MatrixXd w = Eigen::MatrixXd::Ones(3, 2);
  const Eigen::VectorXd b3 = Eigen::VectorXd::Ones(3);
  TrainedBatchNorm t = bn;
  t.training = true;
  // Train mode comes first, before a bad bias.
  EXPECT_TRUE(throws_invalid_argument([&] { bnkit::fold_linear_bn(w, Eigen::VectorXd::Ones(2), t); },
                                      "Fusion only for eval!"));
  EXPECT_TRUE(throws_invalid_argument([&] { bnkit::fold_linear_bn(w, Eigen::VectorXd::Ones(2), bn); },
                                      "bias should contain 3 elements not 2"));
  TrainedBatchNorm m = bn;
  m.running_mean = Eigen::VectorXd::Zero(4);
  m.running_var = Eigen::VectorXd::Zero(5);
  EXPECT_TRUE(throws_invalid_argument([&] { bnkit::fold_linear_bn(w, b3, m); },
                                      "running_mean should contain 3 elements not 4"));
  m.running_mean = Eigen::VectorXd::Zero(3);
  EXPECT_TRUE(throws_invalid_argument([&] { bnkit::fold_linear_bn(w, b3, m); },
                                      "running_var should contain 3 elements not 5"));
  TrainedBatchNorm half = bn;
  half.gamma.resize(0);
  EXPECT_TRUE(throws_invalid_argument([&] { bnkit::fold_linear_bn(w, b3, half); },
                                      "gamma should contain 3 elements not 0"));
  EXPECT_TRUE(throws_invalid_argument([&] { bnkit::fold_conv_bn(Tensor({3, 2}), b3, bn); },
                                      "expected 4D conv weight (got 2D weight)"));
  EXPECT_TRUE(throws_invalid_argument([&] { bnkit::fold_conv_bn(Tensor({3, 2, 1, 1}), Eigen::VectorXd::Ones(4), bn); },
                                      "bias should contain 3 elements not 4"));
  EXPECT_TRUE(throws_invalid_argument(
      [&] { bnkit::linear_bn_forward(Eigen::MatrixXd::Ones(5, 3), w, b3, bn); }, "x should have shape [5, 2] not [5, 3]"));
  EXPECT_TRUE(throws_invalid_argument([&] { bnkit::linear_bn_forward(Eigen::MatrixXd::Ones(1, 2), w, b3, t); },
                                      "Expected more than 1 value per channel when training, got input size [1, 3]"));
  // Valid: a batch of one in eval mode, and a Linear without bias.
  EXPECT_TRUE(bnkit::grader::accepts([&] { bnkit::linear_bn_forward(Eigen::MatrixXd::Ones(1, 2), w, b3, bn); },
                                             "linear_bn_forward in eval mode on a batch of one"));
  EXPECT_TRUE(bnkit::grader::accepts([&] { bnkit::fold_linear_bn(w, Eigen::VectorXd(), bn); },
                                             "fold_linear_bn of a Linear without bias"));
}

BNKIT_TEST(FoldLinear, WideLayersMatchReference, 1) {
  // Layers up to 64 outputs (harness/lessons/09_folding/golden/reference.cases, from the reference).
  for (const Case& c : bnkit::grader::reference_cases(kLesson).cases()) {
    expect_linear_fold(c);
  }
}
