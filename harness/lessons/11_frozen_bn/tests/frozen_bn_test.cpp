// Lesson 11 tests: a frozen BatchNorm1d (bn.eval() inside a model in train mode), forward
// and backward, against PyTorch's autograd.
#include "frozen_bn.hpp"
#include "compare_scalar.hpp"
#include "gradient_check.hpp"
#include "layer_gradient_check.hpp"
#include "layer_replay.hpp"
#include "lesson_test.hpp"

#include "bnkit/todo.hpp"

#include <optional>
#include <string>
#include <vector>

namespace {

using bnkit::FrozenBatchNorm1d;
using bnkit::FrozenGrads;
using bnkit::FrozenOptions;
using bnkit::Index;
using bnkit::Tensor;
using bnkit::grader::Case;
using bnkit::grader::Origin;
using bnkit::grader::Tolerance;
using bnkit::grader::counts_match;
using bnkit::grader::matches_case;
using bnkit::grader::random_tensor;
using bnkit::grader::tensors_match;

const char* kLesson = "11_frozen_bn";
using bnkit::grader::kUnchanged;

const std::vector<std::string> kTorchCases = {"hand_nc",           "nc",
                                              "ncl",               "batch_of_one_nc",
                                              "batch_of_one_ncl",  "frozen_affine_ncl",
                                              "frozen_affine_nc",  "large_running_mean",
                                              "custom_eps"};

Tensor vec(const Eigen::VectorXd& v) { return bnkit::grader::to_tensor(v); }

Tolerance forward_tol(const Case& c) {
  return c.name().find("offset") != std::string::npos || c.name() == "large_running_mean"
             ? bnkit::grader::kLargeRunningMean
             : Tolerance::forward();
}

/// The case's layer, every field set by the test (no constructor): loaded statistics and
/// parameters, a counter of earlier training, and train mode (the model trains).
FrozenBatchNorm1d layer_for(const Case& c) {
  FrozenBatchNorm1d layer;
  layer.num_features = static_cast<Index>(c.scalar("num_features"));
  layer.options.eps = c.scalar("eps");
  layer.options.freeze_affine = c.text("freeze_affine") == "true";
  layer.training = true;
  layer.gamma = c.vector("gamma");
  layer.beta = c.vector("beta");
  layer.running_mean = c.vector("running_mean");
  layer.running_var = c.vector("running_var");
  layer.num_batches_tracked = static_cast<long>(c.scalar("num_batches_tracked"));
  return layer;
}

/// Runs forward and backward of case c on its layer; false (with a failure) if either threw.
bool run(const Case& c, FrozenBatchNorm1d& layer, Tensor& y, FrozenGrads& grads) {
  const Tensor& x = c.tensor("x");
  return bnkit::grader::ran_valid_calls(x, " (case " + c.name() + ")", [&](const char*& call) {
    y = layer.forward(x);
    call = "backward()";
    grads = layer.backward(c.tensor("dy"), x);
  });
}

/// A case's layer after one forward and one backward, and what they returned.
struct Ran {
  FrozenBatchNorm1d layer;
  Tensor y;
  FrozenGrads grads;
};

/// Case c's layer (layer_for) after forward and backward; nothing (with a failure) if either threw.
std::optional<Ran> run_case(const Case& c) {
  Ran ran{layer_for(c), Tensor(), {}};
  if (!run(c, ran.layer, ran.y, ran.grads)) return std::nullopt;
  return ran;
}

void expect_grads_match(const Case& c, const FrozenGrads& g) {
  EXPECT_TRUE(matches_case("dx", g.dx, c, "dx", Tolerance::gradient()));
  EXPECT_TRUE(matches_case("dgamma", g.dgamma, c, "dgamma", Tolerance::gradient()));
  EXPECT_TRUE(matches_case("dbeta", g.dbeta, c, "dbeta", Tolerance::gradient()));
}

/// Every field of `got` exactly as in `want`; a moved buffer or counter is named.
void expect_unchanged(const FrozenBatchNorm1d& got, const FrozenBatchNorm1d& want, const std::string& after) {
  const Origin origin{"the layer before the call: a frozen layer changes no field", after, std::nullopt};
  const bool buffers = got.running_mean == want.running_mean && got.running_var == want.running_var;
  EXPECT_TRUE(buffers) << "running_mean / running_var changed " << after << ":\n  running_mean "
                       << want.running_mean.transpose() << " -> " << got.running_mean.transpose()
                       << "\n  running_var " << want.running_var.transpose() << " -> "
                       << got.running_var.transpose() << "\n"
                       << bnkit::grader::looks_like("frozen_updates_buffers");
  EXPECT_TRUE(got.num_batches_tracked == want.num_batches_tracked)
      << "num_batches_tracked changed " << after << ": " << want.num_batches_tracked << " -> "
      << got.num_batches_tracked << "\n"
      << bnkit::grader::looks_like("frozen_counts_batches");
  EXPECT_TRUE(counts_match("num_features", got.num_features, want.num_features, origin));
  EXPECT_TRUE(counts_match("training", got.training, want.training, origin));
  EXPECT_TRUE(counts_match("options.freeze_affine", got.options.freeze_affine, want.options.freeze_affine, origin));
  EXPECT_TRUE(bnkit::grader::scalars_match("options.eps", got.options.eps, want.options.eps, kUnchanged, origin));
  EXPECT_TRUE(tensors_match("gamma", vec(got.gamma), vec(want.gamma), kUnchanged, origin));
  EXPECT_TRUE(tensors_match("beta", vec(got.beta), vec(want.beta), kUnchanged, origin));
}

}  // namespace

BNKIT_TEST(FrozenBatchNorm, StartsLikePyTorch, 1) {
  const FrozenBatchNorm1d layer(3);
  const Origin pytorch{"PyTorch's BatchNorm1d(3) before loading, in a model in train mode", "", std::nullopt};
  EXPECT_TRUE(counts_match("training", layer.training, true, pytorch));
  EXPECT_TRUE(tensors_match("gamma", vec(layer.gamma), vec(Eigen::VectorXd::Ones(3)), kUnchanged, pytorch));
  EXPECT_TRUE(tensors_match("beta", vec(layer.beta), vec(Eigen::VectorXd::Zero(3)), kUnchanged, pytorch));
  EXPECT_TRUE(tensors_match("running_mean", vec(layer.running_mean), vec(Eigen::VectorXd::Zero(3)), kUnchanged, pytorch));
  EXPECT_TRUE(tensors_match("running_var", vec(layer.running_var), vec(Eigen::VectorXd::Ones(3)), kUnchanged, pytorch));
  EXPECT_TRUE(counts_match("num_batches_tracked", layer.num_batches_tracked, 0, pytorch));
  FrozenOptions options;
  options.eps = 1e-3;
  options.freeze_affine = true;
  const FrozenBatchNorm1d frozen(2, options);
  const Origin given{"the options it was built with", "", std::nullopt};
  EXPECT_TRUE(bnkit::grader::scalars_match("options.eps", frozen.options.eps, 1e-3, kUnchanged, given));
  EXPECT_TRUE(counts_match("options.freeze_affine", frozen.options.freeze_affine, true, given));
  EXPECT_TRUE(counts_match("length of gamma", frozen.gamma.size(), 2, given));
}

BNKIT_TEST(FrozenBatchNorm, ForwardMatchesPyTorch, 3) {
  // y of bn.eval() inside model.train(): the running statistics, in the layer's train mode.
  for (const std::string& name : kTorchCases) {
    const Case& c = bnkit::grader::torch_cases(kLesson).at(name);
    const std::optional<Ran> ran = run_case(c);
    if (!ran) continue;
    EXPECT_TRUE(matches_case("y", ran->y, c, "y", forward_tol(c)));
  }
}

BNKIT_TEST(FrozenBatchNorm, CallsChangeNoField, 2) {
  // Train mode and eval mode alike: forward (twice) and backward leave every field as it
  // was, the running statistics and num_batches_tracked included.
  for (const std::string& name : std::vector<std::string>{"nc", "ncl", "frozen_affine_ncl", "large_running_mean"}) {
    const Case& c = bnkit::grader::torch_cases(kLesson).at(name);
    for (const bool train : {true, false}) {
      FrozenBatchNorm1d layer = layer_for(c);
      layer.training = train;
      const FrozenBatchNorm1d before = layer;
      Tensor y;
      FrozenGrads grads;
      if (!run(c, layer, y, grads)) continue;
      if (!run(c, layer, y, grads)) continue;
      expect_unchanged(layer, before,
                       "after two forwards and backwards in " + std::string(train ? "train" : "eval") +
                           " mode (case " + name + ")");
    }
  }
}

BNKIT_TEST(FrozenBatchNorm, BatchOfOneIsFine, 1) {
  // Train-mode BN refuses one value per channel; frozen BN has nothing to estimate.
  for (const std::string& name : std::vector<std::string>{"batch_of_one_nc", "batch_of_one_ncl"}) {
    const Case& c = bnkit::grader::torch_cases(kLesson).at(name);
    FrozenBatchNorm1d layer = layer_for(c);
    Tensor y;
    FrozenGrads grads;
    EXPECT_TRUE(bnkit::grader::accepts([&] { y = layer.forward(c.tensor("x")); },
                                       "a batch of one, " + bnkit::shape_string(c.tensor("x").shape())));
    EXPECT_TRUE(matches_case("y", y, c, "y"));
    EXPECT_TRUE(bnkit::grader::accepts([&] { grads = layer.backward(c.tensor("dy"), c.tensor("x")); },
                                       "backward of a batch of one"));
    expect_grads_match(c, grads);
  }
}

BNKIT_TEST(FrozenBatchNorm, GradientsMatchPyTorch, 3) {
  // dx = dy * gamma * rstd_running (no batch terms), dgamma, dbeta: PyTorch's autograd.
  for (const std::string& name : kTorchCases) {
    const Case& c = bnkit::grader::torch_cases(kLesson).at(name);
    const std::optional<Ran> ran = run_case(c);
    if (!ran) continue;
    SCOPED_TRACE("case " + name);
    expect_grads_match(c, ran->grads);
  }
}

BNKIT_TEST(FrozenBatchNorm, FrozenAffineGradsAreZero, 2) {
  // requires_grad = False on gamma and beta: PyTorch's grads are None, reported as zeros;
  // dx still flows to the layers below.
  for (const std::string& name : std::vector<std::string>{"frozen_affine_ncl", "frozen_affine_nc"}) {
    const Case& c = bnkit::grader::torch_cases(kLesson).at(name);
    const std::optional<Ran> ran = run_case(c);
    if (!ran) continue;
    SCOPED_TRACE("case " + name);
    EXPECT_TRUE(matches_case("dgamma", ran->grads.dgamma, c, "dgamma", Tolerance::gradient()));
    EXPECT_TRUE(matches_case("dbeta", ran->grads.dbeta, c, "dbeta", Tolerance::gradient()));
    EXPECT_TRUE(matches_case("dx", ran->grads.dx, c, "dx", Tolerance::gradient()));
  }
}

BNKIT_TEST(FrozenBatchNorm, CentralDifferences, 2) {
  // dL/dx, dL/dgamma, dL/dbeta of L = sum(dy * forward(x)) by central differences through
  // your own forward, against your backward (forward must match PyTorch elsewhere).
  const double h = 1e-5;
  FrozenBatchNorm1d layer;
  layer.num_features = 2;
  layer.gamma = Eigen::Vector2d(1.5, -0.75);
  layer.beta = Eigen::Vector2d(0.5, -1.0);
  layer.running_mean = Eigen::Vector2d(0.3, -1.2);
  layer.running_var = Eigen::Vector2d(0.8, 2.5);
  layer.num_batches_tracked = 40;
  const Tensor x = random_tensor({3, 2, 4}, 1191, 0.5, 2.0);
  const Tensor dy = random_tensor({3, 2, 4}, 1192);
  FrozenBatchNorm1d copy = layer;
  const FrozenGrads g = copy.backward(dy, x);
  bnkit::grader::expect_grads_match_central_differences(layer, g, x, dy, h, 1191);
}

BNKIT_TEST(FrozenBatchNorm, RefusesBadInput, 1) {
  using bnkit::grader::throws_invalid_argument;
  FrozenBatchNorm1d layer;
  layer.num_features = 3;
  layer.gamma = Eigen::Vector3d(1.5, -0.5, 2.0);
  layer.beta = Eigen::Vector3d(0.25, -1.0, 0.5);
  layer.running_mean = Eigen::Vector3d(0.5, -2.0, 1.0);
  layer.running_var = Eigen::Vector3d(2.0, 0.5, 1.5);
  layer.num_batches_tracked = 5;
  const FrozenBatchNorm1d before = layer;
  const Tensor x = random_tensor({2, 3}, 1193), dy = random_tensor({2, 3}, 1194);
  EXPECT_TRUE(bnkit::grader::accepts([&] { layer.forward(x); }, "a (2, 3) input to 3 channels"));
  EXPECT_TRUE(bnkit::grader::accepts([&] { layer.backward(dy, x); }, "backward of a (2, 3) input"));
  EXPECT_TRUE(throws_invalid_argument([&] { layer.forward(Tensor({2, 3, 2, 2})); },
                                      "expected 2D or 3D input (got 4D input)"));
  EXPECT_TRUE(throws_invalid_argument([&] { layer.forward(Tensor({2, 4})); },
                                      "expected 3 channels (dim 1), got input size [2, 4]"));
  EXPECT_TRUE(throws_invalid_argument([&] { layer.forward(Tensor({2, 2, 5})); },
                                      "expected 3 channels (dim 1), got input size [2, 2, 5]"));
  EXPECT_TRUE(throws_invalid_argument([&] { layer.backward(Tensor({2, 3, 2, 2}), Tensor({2, 3, 2, 2})); },
                                      "expected 2D or 3D input (got 4D input)"));
  EXPECT_TRUE(throws_invalid_argument([&] { layer.backward(Tensor({2, 4}), x); },
                                      "dy should have shape [2, 3] not [2, 4]"));
  EXPECT_TRUE(throws_invalid_argument([&] { layer.backward(Tensor({2, 4}), Tensor({2, 4})); },
                                      "expected 3 channels (dim 1), got input size [2, 4]"));
  expect_unchanged(layer, before, "after the calls of this test");
}

BNKIT_TEST(FrozenBatchNorm, ReferenceRandomizedCases, 1) {
  // Wider and longer inputs, a single sample of length 7, frozen affine with eps 1e-3, and
  // running means near 3e4: y, the gradients, and every field unchanged.
  for (const Case& c : bnkit::grader::reference_cases(kLesson).cases()) {
    const FrozenBatchNorm1d before = layer_for(c);
    const std::optional<Ran> ran = run_case(c);
    if (!ran) continue;
    SCOPED_TRACE("case " + c.name());
    EXPECT_TRUE(matches_case("y", ran->y, c, "y", forward_tol(c)));
    expect_grads_match(c, ran->grads);
    expect_unchanged(ran->layer, before, "after forward and backward (case " + c.name() + ")");
  }
}
