// Lesson 07 tests: BatchNorm2d on (N,C,H,W) input, train and eval, forward and backward.
#include "conv_axes.hpp"
#include "compare_scalar.hpp"
#include "layer_fields.hpp"
#include "layer_replay.hpp"
#include "gradient_check.hpp"
#include "layer_gradient_check.hpp"
#include "lesson_test.hpp"

#include "bnkit/todo.hpp"

#include <cmath>
#include <functional>
#include <string>
#include <vector>

namespace {

using bnkit::BatchNorm2d;
using bnkit::BatchNorm2dGrads;
using bnkit::BatchNormOptions;
using bnkit::Index;
using bnkit::Tensor;
using bnkit::grader::Case;
using bnkit::grader::Origin;
using bnkit::grader::Tolerance;
using bnkit::grader::counts_match;
using bnkit::grader::expect_buffers_match;
using bnkit::grader::kHandChecked;
using bnkit::grader::kLargeOffset;
using bnkit::grader::matches_case;
using bnkit::grader::random_tensor;
using bnkit::grader::reference_cases_for;
using bnkit::grader::tensors_match;

const char* kLesson = "07_conv_axes";
const Origin kHand{"hand-checked (lesson 07 README)", "", std::nullopt};

const Case& torch_case(const std::string& name) {
  return bnkit::grader::torch_cases(kLesson).at(name);
}

Tensor vec(const Eigen::VectorXd& v) { return bnkit::grader::to_tensor(v); }

using Step = bnkit::grader::LayerStep<BatchNorm2dGrads>;

/// Replays the case's calls on a fresh layer configured as its PyTorch module was; after
/// each forward, when `backward_at(step)` says so, calls backward(dy.k, x.k) too. `check`
/// sees every step after it ran.
void replay(const Case& c, const std::function<void(const Step&, const BatchNorm2d&)>& check,
            const std::function<bool(const Step&)>& backward_at = nullptr) {
  bnkit::grader::replay_layer(c, bnkit::grader::layer_from_case<BatchNorm2d>(c), check, backward_at);
}

void expect_saved_statistics_match(const Case& c, const Step& step, const BatchNorm2d& layer,
                                   Tolerance tol = Tolerance::forward()) {
  if (!c.has("save_mean" + step.suffix)) return;
  EXPECT_TRUE(matches_case("save_mean", layer.save_mean, c, "save_mean" + step.suffix, tol));
  EXPECT_TRUE(matches_case("save_rstd", layer.save_rstd, c, "save_rstd" + step.suffix, tol));
}

void expect_grads_match(const Case& c, const Step& step, const BatchNorm2d& layer,
                        Tolerance tol = Tolerance::gradient()) {
  EXPECT_TRUE(matches_case("dx", step.grads.dx, c, "dx" + step.suffix, tol));
  if (layer.options.affine) {
    EXPECT_TRUE(matches_case("dgamma", step.grads.dgamma, c, "dgamma" + step.suffix, tol));
    EXPECT_TRUE(matches_case("dbeta", step.grads.dbeta, c, "dbeta" + step.suffix, tol));
  } else {
    const Origin none{"the contract: no gamma, no beta, no gradients for them (affine = false)", c.name(),
                      std::nullopt};
    EXPECT_TRUE(counts_match("length of dgamma", step.grads.dgamma.size(), 0, none));
    EXPECT_TRUE(counts_match("length of dbeta", step.grads.dbeta.size(), 0, none));
  }
}

/// Every field of `got` exactly as in `want`: the switches, the mode, the parameters, the
/// buffers, the counter and the saved statistics.
void expect_same_layer(const BatchNorm2d& got, const BatchNorm2d& want, const Origin& origin) {
  bnkit::grader::expect_same_batchnorm_fields(got, want, origin);
  EXPECT_TRUE(tensors_match("save_mean", vec(got.save_mean), vec(want.save_mean), bnkit::grader::kUnchanged, origin));
  EXPECT_TRUE(tensors_match("save_rstd", vec(got.save_rstd), vec(want.save_rstd), bnkit::grader::kUnchanged, origin));
}

/// A 3-channel layer mid-training, every field set by the test (not by a constructor):
/// gamma, beta, buffers and saved statistics of its own, 5 batches counted.
BatchNorm2d mid_training(bool train, bool track, bool affine) {
  BatchNorm2d layer = bnkit::grader::mid_training_layer<BatchNorm2d>(train, track, affine);
  layer.save_mean = Eigen::Vector3d(0.75, -1.5, 2.0);
  layer.save_rstd = Eigen::Vector3d(0.8, 1.25, 0.6);
  return layer;
}

/// The README's example: channel c of sample n holds [[1, 2], [3, 4]] + 4n + 8c.
Tensor hand_x() {
  Tensor x({2, 2, 2, 2});
  for (int n = 0; n < 2; ++n)
    for (int c = 0; c < 2; ++c)
      for (int h = 0; h < 2; ++h)
        for (int w = 0; w < 2; ++w) x(n, c, h, w) = 1 + 2 * h + w + 4 * n + 8 * c;
  return x;
}

const char* kOneValue = "Expected more than 1 value per channel when training, got input size ";

}  // namespace

// ------------------------------------------------------------------------------- forward

BNKIT_TEST(BatchNorm2dLayer, StartsLikePyTorch, 1) {
  const BatchNorm2d layer(3);
  const Origin pytorch{"PyTorch's BatchNorm2d(3)", "", std::nullopt};
  bnkit::grader::expect_new_layer_like_pytorch(layer, pytorch);
  const Origin contract{"the contract: no forward has run, nothing saved yet", "", std::nullopt};
  EXPECT_TRUE(counts_match("length of save_mean", layer.save_mean.size(), 0, contract));
  EXPECT_TRUE(counts_match("length of save_rstd", layer.save_rstd.size(), 0, contract));

  BatchNormOptions bare;
  bare.affine = false;
  bare.track_running_stats = false;
  const BatchNorm2d plain(3, bare);
  const Origin no_switches{"PyTorch's BatchNorm2d(3, affine=False, track_running_stats=False): no parameters, "
                           "no buffers",
                           "", std::nullopt};
  bnkit::grader::expect_no_parameters_or_buffers(plain, no_switches);
}

BNKIT_TEST(BatchNorm2dLayer, TrainStepsMatchPyTorch, 3) {
  for (const char* name : {"train3_eval2", "custom_eps_momentum", "momentum_none"}) {
    const Case& c = torch_case(name);
    replay(c, [&](const Step& step, const BatchNorm2d& layer) {
      if (!step.train) return;
      EXPECT_TRUE(matches_case("y", step.y, c, "y" + step.suffix));
      expect_buffers_match(c, step, layer);
      expect_saved_statistics_match(c, step, layer);
    });
  }
}

BNKIT_TEST(BatchNorm2dLayer, StatisticsPerChannelOverNHW, 3) {
  // One mean and one variance per channel, over N, H and W together. Each train-mode y is
  // compared with PyTorch's, and with what the classic wrong axes give: per sample
  // (InstanceNorm), over C (LayerNorm-like), over N only, NHWC indexing.
  for (const char* name : {"train3_eval2", "custom_eps_momentum", "affine_false", "no_tracking"}) {
    const Case& c = torch_case(name);
    replay(c, [&](const Step& step, const BatchNorm2d&) {
      if (step.batch_stats) {
        EXPECT_TRUE(matches_case("y", step.y, c, "y" + step.suffix));
      }
    });
  }
}

BNKIT_TEST(BatchNorm2dLayer, EvalUsesRunningStatistics, 3) {
  for (const char* name : {"train3_eval2", "custom_eps_momentum", "momentum_none", "affine_false"}) {
    const Case& c = torch_case(name);
    replay(c, [&](const Step& step, const BatchNorm2d&) {
      if (!step.train) {
        EXPECT_TRUE(matches_case("y", step.y, c, "y" + step.suffix));
      }
    });
  }
}

BNKIT_TEST(BatchNorm2dLayer, EvalChangesNoBuffer, 2) {
  const Case& c = torch_case("train3_eval2");
  BatchNorm2d layer = bnkit::grader::layer_from_case<BatchNorm2d>(c);
  for (int k = 1; k <= 3; ++k) layer.forward(c.tensor("x." + std::to_string(k)));
  // Premise: the three train steps did move the buffers (else "unchanged" proves nothing).
  ASSERT_TRUE(counts_match("num_batches_tracked after three train-mode forwards", layer.num_batches_tracked, 3,
                           {c.source(), c.name(), std::nullopt}));
  ASSERT_TRUE(matches_case("running_mean", layer.running_mean, c, "running_mean.3"));
  const bnkit::grader::BufferSnapshot before = bnkit::grader::buffers_of(layer);
  const Eigen::VectorXd saved_mean = layer.save_mean, saved_rstd = layer.save_rstd;
  layer.eval();
  for (int k = 4; k <= 5; ++k) layer.forward(c.tensor("x." + std::to_string(k)));
  bnkit::grader::expect_eval_left_buffers(before, layer);
  EXPECT_TRUE(layer.save_mean == saved_mean && layer.save_rstd == saved_rstd)
      << "an eval-mode forward with running statistics changed save_mean or save_rstd (the contract: only a "
         "forward that normalises with batch statistics sets them)";
}

BNKIT_TEST(BatchNorm2dLayer, SingleImageTrains, 2) {
  // A batch of one image is fine in train mode: its channel still has M = H*W values. The
  // second call has M = 2, where the Bessel factor M / (M - 1) is 2.
  const Case& c = torch_case("single_image");
  bnkit::grader::expect_every_call_matches<BatchNorm2d>(c);
}

BNKIT_TEST(BatchNorm2dLayer, OneValuePerChannelRefused, 2) {
  using bnkit::grader::throws_invalid_argument;
  // (1, C, 1, 1): one value per channel, nothing to take a variance of. Refused whenever
  // batch statistics are used; fine in eval mode with running statistics.
  BatchNorm2d layer(3);
  EXPECT_TRUE(throws_invalid_argument([&] { layer.forward(Tensor({1, 3, 1, 1})); },
                                      std::string(kOneValue) + "[1, 3, 1, 1]"));
  BatchNorm2d wide(5);
  EXPECT_TRUE(throws_invalid_argument([&] { wide.forward(Tensor({1, 5, 1, 1})); },
                                      std::string(kOneValue) + "[1, 5, 1, 1]"));
  // The check is on M = N*H*W, not on N: one image of 1 x 2 or 2 x 1 pixels trains.
  for (const std::vector<Index>& shape : {std::vector<Index>{1, 3, 1, 2}, std::vector<Index>{1, 3, 2, 1}}) {
    BatchNorm2d fresh(3);
    EXPECT_TRUE(bnkit::grader::accepts([&] { fresh.forward(random_tensor(shape, 71)); },
                                       "a train-mode " + bnkit::shape_string(shape) + " input (M = 2)"));
  }
  // Eval mode with running statistics: a single pixel is normalised with them.
  BatchNorm2d frozen = mid_training(false, true, true);
  const Tensor pixel = random_tensor({1, 3, 1, 1}, 72);
  Tensor want(pixel.shape());
  for (Index c = 0; c < 3; ++c) {
    want(0, c, 0, 0) = frozen.gamma[c] * (pixel(0, c, 0, 0) - frozen.running_mean[c]) /
                           std::sqrt(frozen.running_var[c] + frozen.options.eps) +
                       frozen.beta[c];
  }
  Tensor got;
  EXPECT_TRUE(bnkit::grader::accepts([&] { got = frozen.forward(pixel); },
                                     "an eval-mode (1, 3, 1, 1) input with running statistics"));
  EXPECT_TRUE(tensors_match("y of a single pixel in eval mode", got, want, Tolerance::forward(),
                            {"hand-checked: gamma * (x - running_mean) / sqrt(running_var + eps) + beta", "", 72}));
  // Without running statistics, eval mode uses batch statistics too: refused there as well.
  BatchNormOptions untracked;
  untracked.track_running_stats = false;
  BatchNorm2d plain(3, untracked);
  plain.eval();
  EXPECT_TRUE(throws_invalid_argument([&] { plain.forward(Tensor({1, 3, 1, 1})); },
                                      std::string(kOneValue) + "[1, 3, 1, 1]"));
}

// The contract fixes these messages word for word; two sizes each, so the numbers in them
// must come from the call.
BNKIT_TEST(BatchNorm2dLayer, RejectsWrongRankOrChannels, 1) {
  using bnkit::grader::throws_invalid_argument;
  BatchNorm2d layer(3);
  EXPECT_TRUE(bnkit::grader::accepts([&] { layer.forward(random_tensor({2, 3, 2, 2}, 73)); },
                                     "a (2, 3, 2, 2) input to 3 channels"));
  EXPECT_TRUE(throws_invalid_argument([&] { layer.forward(Tensor({2, 3, 4})); }, "expected 4D input (got 3D input)"));
  EXPECT_TRUE(throws_invalid_argument([&] { layer.forward(Tensor({2, 3})); }, "expected 4D input (got 2D input)"));
  EXPECT_TRUE(throws_invalid_argument([&] { layer.forward(Tensor({2, 3, 2, 2, 2})); },
                                      "expected 4D input (got 5D input)"));
  EXPECT_TRUE(throws_invalid_argument([&] { layer.forward(Tensor({2, 4, 5, 5})); },
                                      "expected 3 channels (dim 1), got input size [2, 4, 5, 5]"));
  BatchNorm2d wide(5);
  EXPECT_TRUE(throws_invalid_argument([&] { wide.forward(Tensor({3, 2, 1, 6})); },
                                      "expected 5 channels (dim 1), got input size [3, 2, 1, 6]"));
}

BNKIT_TEST(BatchNorm2dLayer, HandCheckedNumbers, 1) {
  // README: every channel holds 1..8 shifted (by 8c): mean 4.5 + 8c, biased var 5.25,
  // unbiased 6. Train step: y[0,0,0,0] = -3.5 / sqrt(5.25 + eps), running_mean
  // [0.45, 1.25], running_var 0.9 + 0.1 * 6 = 1.5. Eval: (x - 0.45) / sqrt(1.5 + eps).
  const Tensor x = hand_x();
  BatchNorm2d layer(2);
  const Tensor y = layer.forward(x);
  Tensor want(x.shape());
  for (int n = 0; n < 2; ++n)
    for (int c = 0; c < 2; ++c)
      for (int h = 0; h < 2; ++h)
        for (int w = 0; w < 2; ++w) want(n, c, h, w) = (x(n, c, h, w) - 4.5 - 8 * c) / std::sqrt(5.25 + 1e-5);
  EXPECT_TRUE(tensors_match("y", y, want, kHandChecked, kHand));
  EXPECT_TRUE(tensors_match("running_mean", vec(layer.running_mean), vec(Eigen::Vector2d(0.45, 1.25)), kHandChecked, kHand));
  EXPECT_TRUE(tensors_match("running_var", vec(layer.running_var), vec(Eigen::Vector2d::Constant(1.5)), kHandChecked, kHand,
                            // M = 8: an integer Bessel factor 8 / 7 = 1 stores the biased variance too
                            {{"biased_variance_stored", vec(Eigen::Vector2d::Constant(0.9 + 0.1 * 5.25))},
                             {"integer_bessel", vec(Eigen::Vector2d::Constant(0.9 + 0.1 * 5.25))}}));
  layer.eval();
  const Tensor y_eval = layer.forward(x);
  for (int n = 0; n < 2; ++n)
    for (int c = 0; c < 2; ++c)
      for (int h = 0; h < 2; ++h)
        for (int w = 0; w < 2; ++w)
          want(n, c, h, w) = (x(n, c, h, w) - layer.running_mean[c]) / std::sqrt(1.5 + 1e-5);
  EXPECT_TRUE(tensors_match("y in eval mode", y_eval, want, kHandChecked, kHand));
}

BNKIT_TEST(BatchNorm2dLayer, AffineFalseIsPlainNormalisation, 1) {
  const Case& c = torch_case("affine_false");
  bnkit::grader::expect_every_call_matches<BatchNorm2d>(c);
}

BNKIT_TEST(BatchNorm2dLayer, NoTrackingUsesBatchStatisticsInEval, 2) {
  const Case& c = torch_case("no_tracking");
  replay(c, [&](const Step& step, const BatchNorm2d& layer) {
    EXPECT_TRUE(matches_case("y", step.y, c, "y" + step.suffix));
    expect_saved_statistics_match(c, step, layer);
    const Origin pytorch{"PyTorch: without tracking there are no buffers and no counting", c.name(), std::nullopt};
    EXPECT_TRUE(counts_match("length of running_mean", layer.running_mean.size(), 0, pytorch));
    EXPECT_TRUE(counts_match("num_batches_tracked", layer.num_batches_tracked, 0, pytorch));
  });
}

BNKIT_TEST(BatchNorm2dLayer, EmptyInputLeavesStatisticsAlone, 1) {
  // PyTorch: (0, C, H, W) and (N, C, 0, W) in, the same empty shape out; running_mean/var
  // untouched, but num_batches_tracked still counts a train-mode call.
  const Case& c = torch_case("empty_batch");
  bnkit::grader::expect_every_call_matches<BatchNorm2d>(c);
}

BNKIT_TEST(BatchNorm2dLayer, ChannelCheckInEveryMode, 1) {
  bnkit::grader::for_each_mode_and_switches([](bool train, bool track, bool affine) {
    BatchNorm2d layer = mid_training(train, track, affine);
    EXPECT_TRUE(bnkit::grader::accepts([&] { layer.forward(random_tensor({2, 3, 2, 1}, 61)); },
                                       "a (2, 3, 2, 1) input to 3 channels"));
    EXPECT_TRUE(bnkit::grader::throws_invalid_argument([&] { layer.forward(random_tensor({2, 4, 1, 2}, 62)); },
                                                       "expected 3 channels (dim 1), got input size [2, 4, 1, 2]"));
    EXPECT_TRUE(bnkit::grader::throws_invalid_argument([&] { layer.forward(random_tensor({3, 2, 2, 2}, 63)); },
                                                       "expected 3 channels (dim 1), got input size [3, 2, 2, 2]"));
  });
}

BNKIT_TEST(BatchNorm2dLayer, MomentumZeroAndOne, 1) {
  for (const Case* c : reference_cases_for(kLesson, "MomentumZeroAndOne")) {
    bnkit::grader::expect_every_call_matches<BatchNorm2d>(*c);
  }
}

BNKIT_TEST(BatchNorm2dLayer, StableAtLargeOffset, 2) {
  // Values near 1e5 and -8e4 with a spread near 1, in train mode and then, through the
  // buffers they built, in eval mode; and backward at those values. The variance needs
  // lesson 01's two passes.
  for (const Case* c : reference_cases_for(kLesson, "StableAtLargeOffset")) {
    SCOPED_TRACE("case " + c->name());
    ASSERT_FALSE(tensors_match("y.1", bnkit::grader::one_pass_first_y(*c), c->tensor("y.1"), kLargeOffset, {}))
        << "premise of this test: the one-pass formula must fail on this data";
    bnkit::grader::expect_every_call_matches<BatchNorm2d>(*c, kLargeOffset);
  }
}

BNKIT_TEST(BatchNorm2dLayer, ReferenceRandomizedCases, 2) {
  for (const Case& c : bnkit::grader::reference_cases(kLesson).cases()) {
    if (c.has_text("for_test")) continue;  // a test of its own replays it
    replay(c, [&](const Step& step, const BatchNorm2d& layer) {
      EXPECT_TRUE(matches_case("y", step.y, c, "y" + step.suffix));
      if (c.has("running_mean" + step.suffix)) expect_buffers_match(c, step, layer);
      expect_saved_statistics_match(c, step, layer);
    });
  }
}

BNKIT_TEST(BatchNorm2dLayer, RejectedCallsChangeNoField, 2) {
  // A refused call changes no field of the layer, with one exception that PyTorch makes: a
  // train-mode call with tracking counts itself (num_batches_tracked + 1) as soon as its
  // rank is right, before the batch or the channel count is looked at.
  BatchNorm2d valid = mid_training(true, true, true);
  EXPECT_TRUE(bnkit::grader::accepts([&] { valid.forward(random_tensor({4, 3, 2, 2}, 81)); },
                                     "a (4, 3, 2, 2) input to a 3-channel layer in train mode"));
  // The last field, counted: PyTorch counts it (train mode, tracking, rank 4).
  const std::vector<bnkit::grader::RefusedCall> refused = {
      {"train mode, tracking, an input of rank 3", true, true, true, {2, 3, 4}, false},
      {"eval mode, tracking, an input of rank 5", false, true, true, {2, 3, 2, 2, 2}, false},
      {"eval mode, tracking, 4 channels for 3", false, true, true, {2, 4, 2, 2}, false},
      {"train mode, tracking, 4 channels for 3", true, true, true, {2, 4, 3, 1}, true},
      {"train mode, tracking, a single pixel (1, 3, 1, 1)", true, true, true, {1, 3, 1, 1}, true},
      {"train mode, tracking, no affine, a single pixel (1, 3, 1, 1)", true, true, false, {1, 3, 1, 1}, true},
      {"train mode, no tracking, a single pixel (1, 3, 1, 1)", true, false, true, {1, 3, 1, 1}, false},
      {"eval mode, no tracking, a single pixel (1, 3, 1, 1)", false, false, true, {1, 3, 1, 1}, false},
      {"train mode, no tracking, no affine, 2 channels for 3", true, false, false, {3, 2, 2, 2}, false},
  };
  bnkit::grader::expect_refused_calls_change_no_field<BatchNorm2d>(refused, mid_training, expect_same_layer);
}

// ------------------------------------------------------------------------------ backward

BNKIT_TEST(BatchNorm2dBackward, GradientsMatchPyTorch, 3) {
  // Right after each batch-statistics forward (train mode, or no running statistics),
  // backward(dy, x) against PyTorch's autograd: dx, dgamma, dbeta.
  for (const char* name :
       {"train3_eval2", "single_image", "custom_eps_momentum", "momentum_none", "affine_false", "no_tracking"}) {
    const Case& c = torch_case(name);
    replay(
        c, [&](const Step& step, const BatchNorm2d& layer) {
          if (step.batch_stats) expect_grads_match(c, step, layer);
        },
        [](const Step& step) { return step.batch_stats; });
  }
}

BNKIT_TEST(BatchNorm2dBackward, FrozenStatisticsInEval, 1) {
  // Eval mode with running statistics: BN is a fixed affine map, dx = dy * gamma * rstd.
  for (const char* name : {"train3_eval2", "single_image", "custom_eps_momentum", "affine_false"}) {
    const Case& c = torch_case(name);
    replay(
        c, [&](const Step& step, const BatchNorm2d& layer) {
          if (!step.batch_stats) expect_grads_match(c, step, layer);
        },
        [](const Step& step) { return !step.batch_stats; });
  }
}

BNKIT_TEST(BatchNorm2dBackward, ReadsSavedStatistics, 2) {
  // The state rule: backward reads what the forward saved (save_mean, save_rstd), as
  // PyTorch's native_batch_norm_backward does, and changes no field. Here they are the
  // statistics of another batch, so recomputing them from x gives other numbers.
  const Case& c = torch_case("saved_statistics");
  BatchNorm2d layer(static_cast<Index>(c.scalar("num_features")));
  layer.gamma = c.vector("gamma");
  layer.beta = c.vector("beta");
  layer.save_mean = c.vector("save_mean");
  layer.save_rstd = c.vector("save_rstd");
  const BatchNorm2d before = layer;
  const BatchNorm2dGrads g = layer.backward(c.tensor("dy"), c.tensor("x"));
  EXPECT_TRUE(matches_case("dx", g.dx, c, "dx", Tolerance::gradient()));
  EXPECT_TRUE(matches_case("dgamma", g.dgamma, c, "dgamma", Tolerance::gradient()));
  EXPECT_TRUE(matches_case("dbeta", g.dbeta, c, "dbeta", Tolerance::gradient()));
  expect_same_layer(layer, before, {"the layer before the call: backward changes no field", c.name(), std::nullopt});
}

BNKIT_TEST(BatchNorm2dBackward, CentralDifferences, 2) {
  // dL/dx, dL/dgamma, dL/dbeta of L = sum(dy * forward(x)) by central differences through
  // your own forward (each probe on a copy of the layer), against your backward: the two
  // must agree, and forward must match PyTorch elsewhere, so neither can be faked alone.
  const double h = 1e-5;
  for (const bool track : {true, false}) {
    SCOPED_TRACE(track ? "train mode, tracking" : "train mode, no tracking");
    BatchNormOptions options;
    options.track_running_stats = track;
    BatchNorm2d layer(2, options);
    layer.gamma = Eigen::Vector2d(1.5, -0.75);
    layer.beta = Eigen::Vector2d(0.5, -1.0);
    const Tensor x = random_tensor({2, 2, 2, 3}, 91, 0.5, 2.0);
    const Tensor dy = random_tensor({2, 2, 2, 3}, 92);
    BatchNorm2d trained = layer;
    trained.forward(x);
    const BatchNorm2dGrads g = trained.backward(dy, x);
    bnkit::grader::expect_grads_match_central_differences(layer, g, x, dy, h, 91);
  }
}

BNKIT_TEST(BatchNorm2dBackward, InvariantsWithDependence, 1) {
  // Per channel, over N, H and W: sum(dx) = 0 (shifting a channel does not change y) and
  // sum(dx * xhat) = 0 (nor does scaling it). Paired with dependence: dx is not zero, and
  // scaling dy by 3 scales dx by 3, so a zero or constant dx earns nothing. (The second
  // holds up to a factor eps / (var + eps), hence eps = 1e-12 here.)
  BatchNormOptions tiny_eps;
  tiny_eps.eps = 1e-12;
  BatchNorm2d layer(3, tiny_eps);
  layer.gamma = Eigen::Vector3d(2.0, -0.5, 1.25);
  const Tensor x = random_tensor({3, 3, 2, 2}, 93, 4.0, 3.0);
  const Tensor dy = random_tensor({3, 3, 2, 2}, 94, 0.7, 1.0);
  layer.forward(x);
  const BatchNorm2dGrads g = layer.backward(dy, x);
  const BatchNorm2dGrads g3 = layer.backward(Tensor(dy.shape(), 3.0 * dy.values()), x);
  const Origin invariant{"the invariants sum(dx) = 0 and sum(dx * xhat) = 0 per channel", "", 93};
  Eigen::VectorXd sums(3), dots(3), scale(3);
  for (Index c = 0; c < 3; ++c) {
    const Eigen::ArrayXXd xhat = (x.channel(c).array() - x.channel(c).mean()) /
                                 std::sqrt((x.channel(c).array() - x.channel(c).mean()).square().mean() + 1e-12);
    sums[c] = g.dx.channel(c).sum();
    dots[c] = (g.dx.channel(c).array() * xhat).sum();
    scale[c] = 1e-9 * (1.0 + g.dx.channel(c).cwiseAbs().sum());  // absolute: these are sums that cancel to 0
  }
  for (Index c = 0; c < 3; ++c) {
    EXPECT_TRUE(bnkit::grader::scalars_match("sum of dx over channel " + std::to_string(c), sums[c], 0.0,
                                             {scale[c], 0.0}, invariant));
    EXPECT_TRUE(bnkit::grader::scalars_match("sum of dx * xhat over channel " + std::to_string(c), dots[c], 0.0,
                                             {scale[c], 0.0}, invariant));
  }
  EXPECT_GT(g.dx.values().cwiseAbs().maxCoeff(), 1e-3) << "dx is (nearly) zero: it must depend on dy";
  EXPECT_TRUE(tensors_match("dx for 3 * dy", g3.dx, Tensor(g.dx.shape(), 3.0 * g.dx.values()),
                            Tolerance::gradient(), {"linearity: backward(3 * dy) = 3 * backward(dy)", "", 94}));
}

BNKIT_TEST(BatchNorm2dBackward, RefusesBadInput, 1) {
  using bnkit::grader::throws_invalid_argument;
  // Each refused call, and the valid one, leaves every field as it was.
  const Origin unchanged{"the layer before the call: backward changes no field", "", std::nullopt};
  BatchNorm2d fresh(3);
  const BatchNorm2d fresh_before = fresh;
  EXPECT_TRUE(throws_invalid_argument([&] { fresh.backward(Tensor({2, 3, 2, 2}), Tensor({2, 3, 2, 2})); },
                                      "save_mean should contain 3 elements not 0"));
  expect_same_layer(fresh, fresh_before, unchanged);

  BatchNorm2d layer = mid_training(true, true, true);
  const BatchNorm2d before = layer;
  const Tensor x = random_tensor({2, 3, 2, 2}, 95), dy = random_tensor({2, 3, 2, 2}, 96);
  EXPECT_TRUE(bnkit::grader::accepts([&] { layer.backward(dy, x); }, "backward of a (2, 3, 2, 2) input"));
  EXPECT_TRUE(throws_invalid_argument([&] { layer.backward(Tensor({2, 3, 4}), Tensor({2, 3, 4})); },
                                      "expected 4D input (got 3D input)"));
  EXPECT_TRUE(throws_invalid_argument([&] { layer.backward(Tensor({2, 3, 2}), x); },
                                      "dy should have shape [2, 3, 2, 2] not [2, 3, 2]"));
  EXPECT_TRUE(throws_invalid_argument([&] { layer.backward(Tensor({2, 3, 1, 2}), x); },
                                      "dy should have shape [2, 3, 2, 2] not [2, 3, 1, 2]"));
  EXPECT_TRUE(throws_invalid_argument([&] { layer.backward(Tensor({2, 4, 1, 1}), Tensor({2, 4, 1, 1})); },
                                      "expected 3 channels (dim 1), got input size [2, 4, 1, 1]"));
  expect_same_layer(layer, before, unchanged);
}

BNKIT_TEST(BatchNorm2dBackward, StableAtLargeOffset, 1) {
  // Backward after each call of the large-offset sequences (values near 1e5 and -8e4):
  // xhat must come from the saved two-pass statistics, not from E[x^2] - E[x]^2.
  for (const Case* c : reference_cases_for(kLesson, "StableAtLargeOffset")) {
    replay(
        *c,
        [&](const Step& step, const BatchNorm2d& layer) {
          expect_grads_match(*c, step, layer, bnkit::grader::kLargeOffsetGradient);
        },
        [](const Step&) { return true; });
  }
}

BNKIT_TEST(BatchNorm2dBackward, ReferenceRandomizedCases, 1) {
  // Backward after every call of the randomized sequences (train and eval, tall and wide
  // images, a single pixel in eval, momentum 0 and 1).
  for (const Case& c : bnkit::grader::reference_cases(kLesson).cases()) {
    if (c.has_text("for_test") && c.text("for_test") == "StableAtLargeOffset") continue;
    replay(
        c, [&](const Step& step, const BatchNorm2d& layer) { expect_grads_match(c, step, layer); },
        [](const Step&) { return true; });
  }
}
