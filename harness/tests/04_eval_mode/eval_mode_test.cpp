// Lesson 04 tests: BatchNorm1d in train and eval mode, (N,C) and (N,C,L) inputs.
#include "eval_mode.hpp"
#include "lesson_test.hpp"

#include "bnkit/todo.hpp"

#include <functional>
#include <string>

namespace {

using bnkit::BatchNorm1d;
using bnkit::Tensor;
using bnkit::grader::Case;
using bnkit::grader::matches_case;

const char* kLesson = "04_eval_mode";

const Case& torch_case(const std::string& name) {
  return bnkit::grader::torch_cases(kLesson).at(name);
}

/// A layer configured as the case's PyTorch module was, with its gamma and beta.
BatchNorm1d layer_for(const Case& c) {
  bnkit::BatchNormOptions options;
  options.eps = c.scalar("eps");
  options.affine = c.text("affine") == "true";
  options.track_running_stats = c.text("track_running_stats") == "true";
  const std::string& m = c.text("momentum");
  options.momentum = m == "none" ? std::nullopt : std::optional<double>(std::stod(m));
  BatchNorm1d layer(static_cast<bnkit::Index>(c.scalar("num_features")), options);
  if (options.affine) {
    layer.gamma = c.vector("gamma");
    layer.beta = c.vector("beta");
  }
  return layer;
}

struct Step {
  int k;
  bool train;
  std::string suffix;  // ".k"
  Tensor y;
};

/// Replays the case's calls on a fresh layer; `check` sees every step after it ran.
void replay(const Case& c, const std::function<void(const Step&, const BatchNorm1d&)>& check) {
  BatchNorm1d layer = layer_for(c);
  const auto steps = static_cast<int>(c.scalar("steps"));
  for (int k = 1; k <= steps; ++k) {
    const std::string s = "." + std::to_string(k);
    const bool train = c.text("mode" + s) == "train";
    SCOPED_TRACE("case " + c.name() + ", call " + std::to_string(k) + " (" +
                 (train ? "train" : "eval") + " mode)");
    layer.train(train);
    Step step{k, train, s, Tensor()};
    try {
      step.y = layer.forward(c.tensor("x" + s));
    } catch (const bnkit::NotImplemented&) {
      throw;  // an unfinished stub: reported as "not started"
    } catch (const bnkit::boundary::CallFailed& e) {
      ADD_FAILURE_AT("", 0) << e.what();  // crashed or hung: this case stops, the others go on
      return;
    } catch (const std::exception& e) {
      // Later calls depend on this one's buffers: stop this case, go on with the others.
      ADD_FAILURE() << "forward() threw on a valid input of shape "
                    << bnkit::shape_string(c.tensor("x" + s).shape()) << ": " << e.what();
      return;
    }
    check(step, layer);
  }
}

void expect_buffers_match(const Case& c, const Step& step, const BatchNorm1d& layer) {
  EXPECT_TRUE(matches_case("running_mean", layer.running_mean, c, "running_mean" + step.suffix));
  EXPECT_TRUE(matches_case("running_var", layer.running_var, c, "running_var" + step.suffix));
  EXPECT_EQ(layer.num_batches_tracked,
            static_cast<long>(c.scalar("num_batches_tracked" + step.suffix)));
}

}  // namespace

BNKIT_TEST(BatchNorm1dLayer, StartsLikePyTorch, 2) {
  const BatchNorm1d layer(3);
  EXPECT_TRUE(layer.training) << "a new layer is in train mode";
  ASSERT_EQ(layer.gamma.size(), 3);
  ASSERT_EQ(layer.beta.size(), 3);
  ASSERT_EQ(layer.running_mean.size(), 3);
  ASSERT_EQ(layer.running_var.size(), 3);
  EXPECT_TRUE(layer.gamma.isOnes()) << "gamma starts at 1";
  EXPECT_TRUE(layer.beta.isZero()) << "beta starts at 0";
  EXPECT_TRUE(layer.running_mean.isZero()) << "running_mean starts at 0";
  EXPECT_TRUE(layer.running_var.isOnes())
      << "running_var starts at 1"
      << (layer.running_var.isZero() ? "\n  " + bnkit::grader::looks_like("running_var_init_zero") : "");
  EXPECT_EQ(layer.num_batches_tracked, 0);

  bnkit::BatchNormOptions bare;
  bare.affine = false;
  bare.track_running_stats = false;
  const BatchNorm1d plain(3, bare);
  EXPECT_EQ(plain.gamma.size(), 0) << "affine = false: no gamma";
  EXPECT_EQ(plain.beta.size(), 0) << "affine = false: no beta";
  EXPECT_EQ(plain.running_mean.size(), 0) << "track_running_stats = false: no running_mean";
  EXPECT_EQ(plain.running_var.size(), 0) << "track_running_stats = false: no running_var";
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
  BatchNorm1d layer = layer_for(c);
  for (int k = 1; k <= 3; ++k) layer.forward(c.tensor("x." + std::to_string(k)));
  // Premise: the three train steps did move the buffers (else "unchanged" proves nothing).
  ASSERT_EQ(layer.num_batches_tracked, 3) << "three train-mode forwards should count 3 batches";
  ASSERT_TRUE(matches_case("running_mean", layer.running_mean, c, "running_mean.3"));
  const Eigen::VectorXd mean = layer.running_mean, var = layer.running_var;
  const long count = layer.num_batches_tracked;
  layer.eval();
  layer.forward(c.tensor("x.4"));
  const bool unchanged = layer.running_mean == mean && layer.running_var == var &&
                         layer.num_batches_tracked == count;
  EXPECT_TRUE(unchanged) << "an eval-mode forward changed the buffers:\n  running_mean "
                         << mean.transpose() << " -> " << layer.running_mean.transpose()
                         << "\n  running_var " << var.transpose() << " -> "
                         << layer.running_var.transpose() << "\n  num_batches_tracked " << count
                         << " -> " << layer.num_batches_tracked << "\n  "
                         << bnkit::grader::looks_like("eval_updates_buffers");
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
    replay(c, [&](const Step& step, const BatchNorm1d& layer) {
      EXPECT_TRUE(matches_case("y", step.y, c, "y" + step.suffix));
      expect_buffers_match(c, step, layer);
    });
  }
}

BNKIT_TEST(BatchNorm1dLayer, HandCheckedNumbers, 1) {
  // BN_SPEC.md: channel c of sample n holds [1,2,3,4] + 4c + n. Each channel's 16 values
  // have biased var 2.5 and unbiased 8/3; after one step running_var = 0.9 + 0.1 * 8/3.
  Tensor x({4, 3, 4});
  for (int n = 0; n < 4; ++n)
    for (int c = 0; c < 3; ++c)
      for (int l = 0; l < 4; ++l) x(n, c, l) = 1 + l + 4 * c + n;
  BatchNorm1d layer(3);
  layer.forward(x);
  ASSERT_EQ(layer.running_var.size(), 3);
  for (int c = 0; c < 3; ++c) EXPECT_NEAR(layer.running_var[c], 1.1667, 1e-4) << "channel " << c;
}

BNKIT_TEST(BatchNorm1dLayer, AffineFalseIsPlainNormalisation, 1) {
  const Case& c = torch_case("affine_false");
  replay(c, [&](const Step& step, const BatchNorm1d& layer) {
    EXPECT_TRUE(matches_case("y", step.y, c, "y" + step.suffix));
    expect_buffers_match(c, step, layer);
  });
}

BNKIT_TEST(BatchNorm1dLayer, NoTrackingUsesBatchStatisticsInEval, 2) {
  const Case& c = torch_case("no_tracking");
  replay(c, [&](const Step& step, const BatchNorm1d& layer) {
    EXPECT_TRUE(matches_case("y", step.y, c, "y" + step.suffix));
    EXPECT_EQ(layer.running_mean.size(), 0) << "no running statistics without tracking";
  });
  bnkit::BatchNormOptions untracked;
  untracked.track_running_stats = false;
  BatchNorm1d layer(3, untracked);
  layer.eval();
  EXPECT_TRUE(bnkit::grader::throws_invalid_argument(
      [&] { layer.forward(Tensor({1, 3})); }, "Expected more than 1 value per channel"))
      << "without running statistics, eval mode uses batch statistics, so a batch of one "
         "is refused there too";
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
  const Tensor y = layer.forward(Tensor({1, 3, 2}));  // M = 2 values per channel: fine
  EXPECT_EQ(y.shape(), (std::vector<bnkit::Index>{1, 3, 2}));
}

BNKIT_TEST(BatchNorm1dLayer, EmptyBatchLeavesStatisticsAlone, 2) {
  // PyTorch: empty in, empty out; running_mean/var untouched, but num_batches_tracked
  // still counts the call.
  const Case& c = torch_case("empty_batch");
  replay(c, [&](const Step& step, const BatchNorm1d& layer) {
    EXPECT_TRUE(matches_case("y", step.y, c, "y" + step.suffix));
    expect_buffers_match(c, step, layer);
  });
}

BNKIT_TEST(BatchNorm1dLayer, ZeroLengthInputIsEmptyToo, 1) {
  // (N,C,0) has no values either: an empty output, the running statistics untouched.
  BatchNorm1d layer(3);
  const Tensor y = layer.forward(Tensor({2, 3, 0}));
  EXPECT_EQ(y.shape(), (std::vector<bnkit::Index>{2, 3, 0}));
  ASSERT_EQ(layer.running_mean.size(), 3);
  EXPECT_TRUE(layer.running_mean.isZero()) << "no values, so running_mean must not move";
  EXPECT_TRUE(layer.running_var.isOnes()) << "no values, so running_var must not move";
}

BNKIT_TEST(BatchNorm1dLayer, RejectsWrongRankOrChannels, 1) {
  using bnkit::grader::throws_invalid_argument;
  BatchNorm1d layer(3);
  EXPECT_TRUE(bnkit::grader::accepts([&] { layer.forward(Tensor({2, 3, 4})); }, "a (2, 3, 4) input to 3 channels"));
  EXPECT_TRUE(throws_invalid_argument([&] { layer.forward(Tensor({2, 3, 2, 2})); },
                                      "expected 2D or 3D input (got 4D input)"));
  EXPECT_TRUE(throws_invalid_argument([&] { layer.forward(Tensor({4})); },
                                      "expected 2D or 3D input (got 1D input)"));
  EXPECT_TRUE(throws_invalid_argument([&] { layer.forward(Tensor({2, 4})); }, "[2, 4]"));
}

BNKIT_TEST(BatchNorm1dLayer, ReferenceRandomizedCases, 2) {
  for (const Case& c : bnkit::grader::reference_cases(kLesson).cases()) {
    replay(c, [&](const Step& step, const BatchNorm1d& layer) {
      EXPECT_TRUE(matches_case("y", step.y, c, "y" + step.suffix));
      if (c.has("running_mean" + step.suffix)) expect_buffers_match(c, step, layer);
    });
  }
}
