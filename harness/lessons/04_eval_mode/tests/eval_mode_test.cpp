// Lesson 04 tests: BatchNorm1d in train and eval mode, (N,C) and (N,C,L) inputs.
#include "eval_mode.hpp"
#include "compare_scalar.hpp"
#include "layer_fields.hpp"
#include "layer_replay.hpp"
#include "lesson_test.hpp"

#include "bnkit/todo.hpp"

#include <cmath>
#include <functional>
#include <string>
#include <vector>

namespace {

using bnkit::BatchNorm1d;
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

const char* kLesson = "04_eval_mode";
const Origin kHand{"hand-checked (BN_SPEC.md)", "", std::nullopt};

const Case& torch_case(const std::string& name) {
  return bnkit::grader::torch_cases(kLesson).at(name);
}

/// A (C) vector, or an expression that makes one, as a tensor for tensors_match.
Tensor vec(const Eigen::VectorXd& v) { return bnkit::grader::to_tensor(v); }

using Step = bnkit::grader::LayerStep<>;

/// Replays the case's calls on a fresh layer configured as its PyTorch module was; `check`
/// sees every step after it ran.
void replay(const Case& c, const std::function<void(const Step&, const BatchNorm1d&)>& check) {
  bnkit::grader::replay_layer(c, bnkit::grader::layer_from_case<BatchNorm1d>(c), check);
}

/// Every field of `got` exactly as in `want`: the switches, the mode, the parameters, the
/// buffers and the counter.
void expect_same_layer(const BatchNorm1d& got, const BatchNorm1d& want, const Origin& origin) {
  bnkit::grader::expect_same_batchnorm_fields(got, want, origin);
}

/// A 3-channel layer mid-training, every field set by the test (not by a constructor):
/// gamma, beta and buffers of its own, 5 batches counted.
BatchNorm1d mid_training(bool train, bool track, bool affine) {
  return bnkit::grader::mid_training_layer<BatchNorm1d>(train, track, affine);
}

/// (2, 3): channel c holds (c+1) * [1, 3], so mean 2(c+1) and biased variance (c+1)^2.
Tensor batch_of_two() {
  Tensor x({2, 3});
  for (int c = 0; c < 3; ++c) {
    x(0, c) = c + 1.0;
    x(1, c) = 3.0 * (c + 1.0);
  }
  return x;
}

/// Its train-mode output with gamma 1, beta 0: -+(c+1) / sqrt((c+1)^2 + eps).
Tensor batch_of_two_y() {
  Tensor y({2, 3});
  for (int c = 0; c < 3; ++c) {
    y(0, c) = -(c + 1.0) / std::sqrt((c + 1.0) * (c + 1.0) + 1e-5);
    y(1, c) = -y(0, c);
  }
  return y;
}

}  // namespace

BNKIT_TEST(BatchNorm1dLayer, StartsLikePyTorch, 2) {
  const BatchNorm1d layer(3);
  const Origin pytorch{"PyTorch's BatchNorm1d(3) (BN_SPEC.md)", "", std::nullopt};
  bnkit::grader::expect_new_layer_like_pytorch(layer, pytorch);

  BatchNormOptions bare;
  bare.affine = false;
  bare.track_running_stats = false;
  const BatchNorm1d plain(3, bare);
  const Origin no_switches{"PyTorch's BatchNorm1d(3, affine=False, track_running_stats=False): no parameters, "
                           "no buffers",
                           "", std::nullopt};
  bnkit::grader::expect_no_parameters_or_buffers(plain, no_switches);
}

BNKIT_TEST(BatchNorm1dLayer, TrainStepsMatchPyTorch, 3) {
  for (const char* name : {"nc_train3_eval2", "custom_eps_momentum", "momentum_none"}) {
    const Case& c = torch_case(name);
    replay(c, [&](const Step& step, const BatchNorm1d& layer) {
      if (!step.train) return;
      EXPECT_TRUE(matches_case("y", step.y, c, "y" + step.suffix));
      expect_buffers_match(c, step, layer);
    });
  }
}

BNKIT_TEST(BatchNorm1dLayer, EvalUsesRunningStatistics, 3) {
  for (const char* name : {"nc_train3_eval2", "custom_eps_momentum", "momentum_none"}) {
    const Case& c = torch_case(name);
    replay(c, [&](const Step& step, const BatchNorm1d&) {
      if (!step.train) {
        EXPECT_TRUE(matches_case("y", step.y, c, "y" + step.suffix));
      }
    });
  }
}

BNKIT_TEST(BatchNorm1dLayer, EvalChangesNoBuffer, 2) {
  const Case& c = torch_case("nc_train3_eval2");
  BatchNorm1d layer = bnkit::grader::layer_from_case<BatchNorm1d>(c);
  for (int k = 1; k <= 3; ++k) layer.forward(c.tensor("x." + std::to_string(k)));
  // Premise: the three train steps did move the buffers (else "unchanged" proves nothing).
  ASSERT_TRUE(counts_match("num_batches_tracked after three train-mode forwards", layer.num_batches_tracked, 3,
                           {c.source(), c.name(), std::nullopt}));
  ASSERT_TRUE(matches_case("running_mean", layer.running_mean, c, "running_mean.3"));
  const bnkit::grader::BufferSnapshot before = bnkit::grader::buffers_of(layer);
  layer.eval();
  layer.forward(c.tensor("x.4"));
  bnkit::grader::expect_eval_left_buffers(before, layer);
}

BNKIT_TEST(BatchNorm1dLayer, EvalWorksForBatchOfOne, 1) {
  const Case& c = torch_case("nc_train3_eval2");  // call 5 is eval with N = 1
  replay(c, [&](const Step& step, const BatchNorm1d&) {
    if (step.k == 5) {
      EXPECT_TRUE(matches_case("y", step.y, c, "y.5"));
    }
  });
}

BNKIT_TEST(BatchNorm1dLayer, ThreeDimensionalInputMatchesPyTorch, 3) {
  // (N,C,L): one mean and variance per channel, over N and L together (M = N * L).
  for (const char* name : {"ncl_train2_eval1", "hand_4x3x4"}) {
    const Case& c = torch_case(name);
    bnkit::grader::expect_every_call_matches<BatchNorm1d>(c);
  }
}

BNKIT_TEST(BatchNorm1dLayer, HandCheckedNumbers, 1) {
  // BN_SPEC.md: channel c of sample n holds [1,2,3,4] + 4c + n. Each channel's 16 values
  // have biased var 2.5 and unbiased 40/15; after one step running_var = 0.9 + 0.1 * 40/15.
  Tensor x({4, 3, 4});
  for (int n = 0; n < 4; ++n)
    for (int c = 0; c < 3; ++c)
      for (int l = 0; l < 4; ++l) x(n, c, l) = 1 + l + 4 * c + n;
  BatchNorm1d layer(3);
  layer.forward(x);
  EXPECT_TRUE(tensors_match("running_var", vec(layer.running_var),
                            vec(Eigen::VectorXd::Constant(3, 0.9 + 0.1 * 40.0 / 15.0)), kHandChecked, kHand,
                            {{"biased_variance_stored", vec(Eigen::VectorXd::Constant(3, 0.9 + 0.1 * 2.5))},
                             // M = 16: an integer Bessel factor 16 / 15 = 1 stores the biased variance too
                             {"integer_bessel", vec(Eigen::VectorXd::Constant(3, 0.9 + 0.1 * 2.5))}}));
}

BNKIT_TEST(BatchNorm1dLayer, AffineFalseIsPlainNormalisation, 1) {
  const Case& c = torch_case("affine_false");
  bnkit::grader::expect_every_call_matches<BatchNorm1d>(c);
}

BNKIT_TEST(BatchNorm1dLayer, NoTrackingUsesBatchStatisticsInEval, 2) {
  const Case& c = torch_case("no_tracking");
  replay(c, [&](const Step& step, const BatchNorm1d& layer) {
    EXPECT_TRUE(matches_case("y", step.y, c, "y" + step.suffix));
    EXPECT_TRUE(counts_match("length of running_mean (no running statistics without tracking)",
                             layer.running_mean.size(), 0, {c.source(), c.name(), std::nullopt}));
  });
  BatchNormOptions untracked;
  untracked.track_running_stats = false;
  BatchNorm1d layer(3, untracked);
  layer.eval();
  // Without running statistics, eval mode uses batch statistics, so a batch of one is
  // refused there too.
  EXPECT_TRUE(bnkit::grader::throws_invalid_argument(
      [&] { layer.forward(Tensor({1, 3})); },
      "Expected more than 1 value per channel when training, got input size [1, 3]"));
}

BNKIT_TEST(BatchNorm1dLayer, TrainModeRejectsBatchOfOne, 2) {
  using bnkit::grader::throws_invalid_argument;
  BatchNorm1d layer(3);
  EXPECT_TRUE(throws_invalid_argument(
      [&] { layer.forward(Tensor({1, 3})); },
      "Expected more than 1 value per channel when training, got input size [1, 3]"));
  EXPECT_TRUE(throws_invalid_argument(
      [&] { layer.forward(Tensor({1, 3, 1})); },
      "Expected more than 1 value per channel when training, got input size [1, 3, 1]"));
  // M = 2 values per channel: fine. All zeros in, all zeros out.
  const Tensor y = layer.forward(Tensor({1, 3, 2}));
  EXPECT_TRUE(tensors_match("y of a zero (1, 3, 2) input", y, Tensor({1, 3, 2}), kHandChecked, kHand));
}

BNKIT_TEST(BatchNorm1dLayer, EmptyBatchLeavesStatisticsAlone, 2) {
  // PyTorch: empty in, empty out; running_mean/var untouched, but num_batches_tracked
  // still counts the call.
  const Case& c = torch_case("empty_batch");
  bnkit::grader::expect_every_call_matches<BatchNorm1d>(c);
}

BNKIT_TEST(BatchNorm1dLayer, ZeroLengthInputIsEmptyToo, 1) {
  // (N,C,0) has no values either: an empty output, the running statistics untouched; a
  // train-mode call still counts (as PyTorch's module counts before it looks at the data),
  // an eval-mode one does not.
  const Origin pytorch{"PyTorch (BN_SPEC.md): empty in, empty out, buffers untouched", "", std::nullopt};
  BatchNorm1d layer(3);
  const Tensor y = layer.forward(Tensor({2, 3, 0}));
  EXPECT_TRUE(tensors_match("y of a (2, 3, 0) input", y, Tensor({2, 3, 0}), kHandChecked, pytorch));
  EXPECT_TRUE(tensors_match("running_mean", vec(layer.running_mean), vec(Eigen::VectorXd::Zero(3)), kHandChecked, pytorch));
  EXPECT_TRUE(tensors_match("running_var", vec(layer.running_var), vec(Eigen::VectorXd::Ones(3)), kHandChecked, pytorch));
  EXPECT_TRUE(counts_match("num_batches_tracked after one train-mode call", layer.num_batches_tracked, 1, pytorch));
  layer.eval();
  const Tensor y_eval = layer.forward(Tensor({4, 3, 0}));
  EXPECT_TRUE(tensors_match("y of a (4, 3, 0) input in eval mode", y_eval, Tensor({4, 3, 0}), kHandChecked, pytorch));
  EXPECT_TRUE(counts_match("num_batches_tracked after an eval-mode call", layer.num_batches_tracked, 1, pytorch));
}

// The contract fixes these messages word for word; two sizes each, so the numbers in them
// must come from the call.
BNKIT_TEST(BatchNorm1dLayer, RejectsWrongRankOrChannels, 1) {
  using bnkit::grader::throws_invalid_argument;
  BatchNorm1d layer(3);
  EXPECT_TRUE(bnkit::grader::accepts([&] { layer.forward(Tensor({2, 3, 4})); }, "a (2, 3, 4) input to 3 channels"));
  EXPECT_TRUE(throws_invalid_argument([&] { layer.forward(Tensor({2, 3, 2, 2})); },
                                      "expected 2D or 3D input (got 4D input)"));
  EXPECT_TRUE(throws_invalid_argument([&] { layer.forward(Tensor({4})); },
                                      "expected 2D or 3D input (got 1D input)"));
  EXPECT_TRUE(throws_invalid_argument([&] { layer.forward(Tensor({2, 4})); },
                                      "expected 3 channels (dim 1), got input size [2, 4]"));
  BatchNorm1d wide(5);
  EXPECT_TRUE(throws_invalid_argument([&] { wide.forward(Tensor({3, 2, 6})); },
                                      "expected 5 channels (dim 1), got input size [3, 2, 6]"));
}

BNKIT_TEST(BatchNorm1dLayer, ReferenceRandomizedCases, 2) {
  for (const Case& c : bnkit::grader::reference_cases(kLesson).cases()) {
    if (c.has_text("for_test")) continue;  // a test of its own replays it
    replay(c, [&](const Step& step, const BatchNorm1d& layer) {
      EXPECT_TRUE(matches_case("y", step.y, c, "y" + step.suffix));
      if (c.has("running_mean" + step.suffix)) expect_buffers_match(c, step, layer);
    });
  }
}

BNKIT_TEST(BatchNorm1dLayer, FreshLayerInEvalIsIdentity, 1) {
  // Buffers at 0 and 1, gamma 1, beta 0: eval mode gives x / sqrt(1 + eps), whatever the
  // batch, before any training, and changes nothing.
  BatchNorm1d layer(3);
  layer.eval();
  const Tensor x = random_tensor({4, 3, 2}, 51, 3.0, 2.0);
  const Tensor y = layer.forward(x);
  const Tensor want(x.shape(), x.values() / std::sqrt(1.0 + 1e-5));
  EXPECT_TRUE(tensors_match("y of a fresh layer in eval mode", y, want, kHandChecked,
                            {"hand-checked (BN_SPEC.md): (x - 0) / sqrt(1 + eps) * 1 + 0", "", 51}));
  EXPECT_TRUE(counts_match("num_batches_tracked after an eval-mode call", layer.num_batches_tracked, 0, kHand));
}

BNKIT_TEST(BatchNorm1dLayer, ChannelCheckInEveryMode, 1) {
  // Train or eval, with or without buffers and gamma/beta: an input whose dim 1 is not C is
  // refused with the contract's message, and one with C channels is accepted.
  bnkit::grader::for_each_mode_and_switches([](bool train, bool track, bool affine) {
    BatchNorm1d layer = mid_training(train, track, affine);
    EXPECT_TRUE(bnkit::grader::accepts([&] { layer.forward(random_tensor({2, 3, 2}, 61)); },
                                       "a (2, 3, 2) input to 3 channels"));
    EXPECT_TRUE(bnkit::grader::throws_invalid_argument([&] { layer.forward(random_tensor({2, 4}, 62)); },
                                                       "expected 3 channels (dim 1), got input size [2, 4]"));
    EXPECT_TRUE(bnkit::grader::throws_invalid_argument([&] { layer.forward(random_tensor({3, 2, 5}, 63)); },
                                                       "expected 3 channels (dim 1), got input size [3, 2, 5]"));
  });
}

BNKIT_TEST(BatchNorm1dLayer, UntrackedLayerLeavesCounterAlone, 1) {
  // track_running_stats = false: no buffers and no counting, in train mode too (an empty
  // batch included), while each call still normalises with its batch's statistics.
  BatchNormOptions untracked;
  untracked.track_running_stats = false;
  BatchNorm1d layer(3, untracked);
  const Origin pytorch{"PyTorch: without tracking, num_batches_tracked stays as it is", "", std::nullopt};
  const Tensor x = batch_of_two();
  for (int call = 1; call <= 2; ++call) {
    EXPECT_TRUE(tensors_match("y of train-mode call " + std::to_string(call), layer.forward(x),
                              batch_of_two_y(), kHandChecked, kHand));
  }
  EXPECT_TRUE(tensors_match("y of an empty (0, 3) batch", layer.forward(Tensor({0, 3})), Tensor({0, 3}), kHandChecked,
                            kHand));
  EXPECT_TRUE(counts_match("num_batches_tracked after three train-mode calls", layer.num_batches_tracked, 0,
                           pytorch));
  EXPECT_TRUE(counts_match("length of running_mean", layer.running_mean.size(), 0, pytorch));
}

BNKIT_TEST(BatchNorm1dLayer, MomentumZeroAndOne, 1) {
  // Momentum 0 keeps the buffers where they are (the counter still counts); momentum 1
  // replaces them with the last batch's statistics, the unbiased variance included.
  for (const Case* c : reference_cases_for(kLesson, "MomentumZeroAndOne")) {
    bnkit::grader::expect_every_call_matches<BatchNorm1d>(*c);
  }
}

BNKIT_TEST(BatchNorm1dLayer, BatchOfTwo, 1) {
  // The smallest batch train mode takes: M = 2, so the Bessel factor is 2. Channel c holds
  // (c+1) * [1, 3]: mean 2(c+1), biased var (c+1)^2, unbiased 2(c+1)^2.
  BatchNorm1d layer(3);
  const Tensor y = layer.forward(batch_of_two());
  Eigen::VectorXd mean(3), unbiased(3);
  for (int c = 0; c < 3; ++c) {
    mean[c] = 2.0 * (c + 1.0);
    unbiased[c] = 2.0 * (c + 1.0) * (c + 1.0);
  }
  EXPECT_TRUE(tensors_match("y", y, batch_of_two_y(), kHandChecked, kHand));
  EXPECT_TRUE(tensors_match("running_mean", vec(layer.running_mean), vec(0.1 * mean), kHandChecked, kHand));
  EXPECT_TRUE(tensors_match("running_var", vec(layer.running_var),
                            vec((0.9 + 0.1 * unbiased.array()).matrix()), kHandChecked, kHand,
                            {{"biased_variance_stored", vec((0.9 + 0.05 * unbiased.array()).matrix())}}));
  EXPECT_TRUE(counts_match("num_batches_tracked", layer.num_batches_tracked, 1, kHand));
}

BNKIT_TEST(BatchNorm1dLayer, StableAtLargeOffset, 2) {
  // Values near 1e5 and -8e4 with a spread near 1, in train mode and then, through the
  // buffers they built, in eval mode. The variance needs lesson 01's two passes.
  for (const Case* c : reference_cases_for(kLesson, "StableAtLargeOffset")) {
    SCOPED_TRACE("case " + c->name());
    ASSERT_FALSE(tensors_match("y.1", bnkit::grader::one_pass_first_y(*c), c->tensor("y.1"), kLargeOffset, {}))
        << "premise of this test: the one-pass formula must fail on this data";
    bnkit::grader::expect_every_call_matches<BatchNorm1d>(*c, kLargeOffset);
  }
}

BNKIT_TEST(BatchNorm1dLayer, RejectedCallsChangeNoField, 2) {
  // A refused call changes no field of the layer, with one exception that PyTorch makes: a
  // train-mode call with tracking counts itself (num_batches_tracked + 1) as soon as its
  // rank is right, before the batch or the channel count is looked at. Code that refuses
  // everything earns nothing here.
  BatchNorm1d valid = mid_training(true, true, true);
  EXPECT_TRUE(bnkit::grader::accepts([&] { valid.forward(random_tensor({4, 3, 2}, 81)); },
                                     "a (4, 3, 2) input to a 3-channel layer in train mode"));
  // The last field, counted: PyTorch counts it (train mode, tracking, rank 2 or 3).
  const std::vector<bnkit::grader::RefusedCall> refused = {
      {"train mode, tracking, an input of rank 1", true, true, true, {6}, false},
      {"eval mode, tracking, an input of rank 4", false, true, true, {2, 3, 2, 2}, false},
      {"eval mode, tracking, 4 channels for 3", false, true, true, {2, 4}, false},
      {"train mode, tracking, 4 channels for 3", true, true, true, {2, 4, 3}, true},
      {"train mode, tracking, a batch of one (1, 3)", true, true, true, {1, 3}, true},
      {"train mode, tracking, a batch of one (1, 3, 1)", true, true, false, {1, 3, 1}, true},
      {"train mode, no tracking, a batch of one (1, 3, 1)", true, false, true, {1, 3, 1}, false},
      {"eval mode, no tracking, a batch of one (1, 3)", false, false, true, {1, 3}, false},
      {"train mode, no tracking, no affine, 2 channels for 3", true, false, false, {3, 2}, false},
  };
  bnkit::grader::expect_refused_calls_change_no_field<BatchNorm1d>(refused, mid_training, expect_same_layer);
}
