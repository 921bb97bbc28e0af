// Lesson 11 hidden tests (instructor mode): frozen layers with random loaded statistics,
// parameters and switches, in train and eval mode, on inputs drawn fresh from the run's
// seed (batches of one, long sequences, large running means, empty inputs); expected
// values from the reference solution (the oracle).
#include "frozen_bn.hpp"
#include "lesson_test.hpp"

#include "bnkit/todo.hpp"

#include <cmath>
#include <string>
#include <vector>

namespace {

using bnkit::FrozenBatchNorm1d;
using bnkit::FrozenGrads;
using bnkit::FrozenOptions;
using bnkit::Index;
using bnkit::Tensor;
using bnkit::grader::case_seed;
using bnkit::grader::hidden_case;
using bnkit::grader::Tolerance;
using bnkit::grader::tensors_match;
using bnkit::grader::to_tensor;

void expect_same_layer(const FrozenBatchNorm1d& got, const FrozenBatchNorm1d& want, const bnkit::grader::Origin& origin,
                       const std::string& when) {
  const Tolerance same = bnkit::grader::kUnchanged;
  EXPECT_EQ(got.num_features, want.num_features) << "num_features " << when;
  EXPECT_TRUE(got.options.eps == want.options.eps && got.options.freeze_affine == want.options.freeze_affine)
      << "options " << when;
  EXPECT_EQ(got.training, want.training) << "training " << when;
  EXPECT_TRUE(tensors_match("gamma " + when, to_tensor(got.gamma), to_tensor(want.gamma), same, origin));
  EXPECT_TRUE(tensors_match("beta " + when, to_tensor(got.beta), to_tensor(want.beta), same, origin));
  EXPECT_TRUE(tensors_match("running_mean " + when, to_tensor(got.running_mean), to_tensor(want.running_mean), same,
                            origin));
  EXPECT_TRUE(tensors_match("running_var " + when, to_tensor(got.running_var), to_tensor(want.running_var), same,
                            origin));
  EXPECT_EQ(got.num_batches_tracked, want.num_batches_tracked) << "num_batches_tracked " << when;
}

/// A loaded layer: random statistics and parameters, the channel count, the switches.
FrozenBatchNorm1d loaded(bnkit::grader::Draw& draw, Index channels, double offset) {
  FrozenOptions options;
  options.eps = draw.eps();
  options.freeze_affine = draw.chance(0.4);
  FrozenBatchNorm1d layer = bnkit::grader::with_oracle([&] { return FrozenBatchNorm1d(channels, options); });
  layer.gamma = draw.gamma(channels);
  layer.beta = draw.beta(channels);
  layer.running_mean = Eigen::VectorXd(channels);
  layer.running_var = Eigen::VectorXd(channels);
  for (Index c = 0; c < channels; ++c) {
    layer.running_mean[c] = offset * draw.sign() + draw.uniform(-3.0, 3.0);
    layer.running_var[c] = draw.log_uniform(1e-3, 1e2);
  }
  layer.num_batches_tracked = static_cast<long>(draw.integer(0, 5000));
  layer.training = draw.chance(0.75);
  return layer;
}

/// One side of a call judged against the reference: the layer, and what its calls returned.
struct Called {
  FrozenBatchNorm1d layer;
  Tensor y;
  FrozenGrads grads;
};

void one_call(bnkit::grader::Draw& draw, double offset, Tolerance tol, Tolerance grad_tol, const std::string& name,
              std::uint64_t seed) {
  const bnkit::grader::Origin origin{"the reference solution (hidden case)", name, seed};
  const Index channels = draw.integer(1, 16);
  const FrozenBatchNorm1d want = loaded(draw, channels, offset);
  std::vector<Index> shape = {draw.chance(0.3) ? 1 : draw.integer(1, 7), channels};
  if (draw.chance(0.6)) shape.push_back(draw.integer(1, 9));
  if (draw.chance(0.05)) shape[0] = 0;
  Tensor x(shape), dy(shape);
  for (Index i = 0; i < x.numel(); ++i) {
    const Index c = (i / (shape.size() == 3 ? shape[2] : 1)) % channels;
    x.values()[i] = want.running_mean[c] + std::sqrt(want.running_var[c]) * draw.normal() * 1.5;
    dy.values()[i] = draw.normal();
  }
  Called oracle{want, Tensor(), {}}, got = oracle;
  const bnkit::grader::Ends ends = bnkit::grader::run_on_both(oracle, got, [&](Called& side) {
    side.y = side.layer.forward(x);
    side.grads = side.layer.backward(dy, x);
  });
  const std::string when = std::string(want.training ? "train" : "eval") + " mode, freeze_affine " +
                           (want.options.freeze_affine ? "true" : "false") + ", x of shape " +
                           bnkit::shape_string(x.shape());
  EXPECT_TRUE(ends.alike("forward and backward, " + when));
  if (!ends.both_returned()) return;
  EXPECT_TRUE(tensors_match("y (" + when + ")", got.y, oracle.y, tol, origin));
  EXPECT_TRUE(tensors_match("dx (" + when + ")", got.grads.dx, oracle.grads.dx, grad_tol, origin));
  EXPECT_TRUE(tensors_match("dgamma (" + when + ")", to_tensor(got.grads.dgamma), to_tensor(oracle.grads.dgamma),
                            grad_tol, origin));
  EXPECT_TRUE(tensors_match("dbeta (" + when + ")", to_tensor(got.grads.dbeta), to_tensor(oracle.grads.dbeta),
                            grad_tol, origin));
  expect_same_layer(got.layer, want, origin, "after forward and backward (" + when + ")");
}

}  // namespace

// Catches: batch statistics in the forward (train mode or always), buffers or the counter
// moved, batch terms in backward, gamma missing, eps outside the root, frozen affine
// gradients reported or dx zeroed with them, a batch of one refused, the mode consulted.
BNKIT_HIDDEN_TEST(HiddenFrozenBatchNorm, RandomLoadedLayers, 4) {
  for (int k = 0; k < 12; ++k) {
    const std::uint64_t seed = case_seed(111, k);
    bnkit::grader::Draw draw(seed);
    const std::string name = "loaded_" + std::to_string(k);
    hidden_case(name, seed, [&] { one_call(draw, 0.0, Tolerance::forward(), Tolerance::gradient(), name, seed); });
  }
}

// Catches: (x - running_mean) not formed first, statistics rebuilt from x at large offsets.
BNKIT_HIDDEN_TEST(HiddenFrozenBatchNorm, LargeRunningMeans, 2) {
  for (int k = 0; k < 4; ++k) {
    const std::uint64_t seed = case_seed(112, k);
    bnkit::grader::Draw draw(seed);
    const std::string name = "offset_" + std::to_string(k);
    hidden_case(name, seed, [&] { one_call(draw, 5e4, bnkit::grader::kLargeRunningMeanRounding,
                                               bnkit::grader::kLargeOffsetRoundingGradient, name, seed); });
  }
}

// Catches: missing rank, dy-shape or channel checks, wrong messages, a refused call that
// changes a field.
BNKIT_HIDDEN_TEST(HiddenFrozenBatchNorm, BadInputThrowsLikeReference, 2) {
  for (int k = 0; k < 6; ++k) {
    const std::uint64_t seed = case_seed(113, k);
    bnkit::grader::Draw draw(seed);
    const std::string name = "bad_input_" + std::to_string(k);
    hidden_case(name, seed, [&] {
      const bnkit::grader::Origin origin{"the reference solution (hidden case)", name, seed};
      const Index channels = draw.integer(1, 10), n = draw.integer(1, 5);
      const FrozenBatchNorm1d want = loaded(draw, channels, 0.0);
      const Index wrong = channels + draw.integer(1, 3);
      std::vector<Index> shape, dy_shape;
      bool backward = k >= 3;
      switch (k) {
        case 0: shape = {n, channels, 2, 2}; break;
        case 1: shape = {n, wrong}; break;
        case 2: shape = {n, wrong, 3}; break;
        case 3: shape = {n, channels, 2, 1}; break;
        case 4: shape = {n, channels, 3}; dy_shape = {n, channels, 4}; break;
        default: shape = {n, wrong, 2}; break;
      }
      Tensor x(shape), dy(dy_shape.empty() ? shape : dy_shape);
      for (Index i = 0; i < x.numel(); ++i) x.values()[i] = draw.uniform(-3.0, 3.0);
      FrozenBatchNorm1d oracle = want, got = want;
      const bnkit::grader::Ends ends = bnkit::grader::run_on_both(oracle, got, [&](FrozenBatchNorm1d& layer) {
        if (backward) layer.backward(dy, x);
        else layer.forward(x);
      });
      EXPECT_TRUE(ends.alike(std::string(backward ? "backward" : "forward") + " on x of shape " +
                             bnkit::shape_string(x.shape())));
      expect_same_layer(got, want, origin, "after a refused call");
    });
  }
}
