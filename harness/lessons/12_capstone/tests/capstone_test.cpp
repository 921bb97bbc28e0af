// Lesson 12 tests: the capstone MLP wired with the student's BatchNorm (or LayerNorm),
// forward in both modes, backward, the training loop and evaluation. Expected values come
// from the trusted oracle (oracle.hpp), from central differences of the code's own forward,
// and, for training, from accuracies the trusted side measures itself on the returned
// parameters (never from a number the code reports).
#include "capstone_support.hpp"
#include "idx.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace {

using namespace bnkit;
using namespace bnkit::capstone_tests;
using bnkit::grader::accepts;
using bnkit::grader::counts_match;
using bnkit::grader::guarded;
using bnkit::grader::Origin;
using bnkit::grader::scalars_match;
using bnkit::grader::tensors_match;
using bnkit::grader::throws_invalid_argument;
using bnkit::grader::Tolerance;
using bnkit::grader::kCountedFraction;
using bnkit::grader::kLargeOffset;
using bnkit::grader::kReplay;
using bnkit::grader::kUnchanged;

/// The images 0..n-1 of the committed Fashion-MNIST subset (train or t10k split), loaded
/// once per test process.
const Dataset& subset(const std::string& split) {
  static const Dataset train = capstone::load_split(capstone::graded_subset_dir(), "train");
  static const Dataset test = capstone::load_split(capstone::graded_subset_dir(), "t10k");
  return split == "train" ? train : test;
}

/// Rows [start, start + n) of a dataset.
Dataset slice(const Dataset& d, Eigen::Index start, Eigen::Index n) {
  Dataset out;
  out.images = d.images.middleRows(start, n);
  out.labels.assign(d.labels.begin() + start, d.labels.begin() + start + n);
  return out;
}

/// A small synthetic data set for the small model: (n, 6) inputs and labels in [0, 3).
Dataset small_data(Eigen::Index n, std::uint64_t seed) {
  Dataset d;
  d.images = random_inputs(n, 6, seed);
  d.labels.resize(static_cast<std::size_t>(n));
  std::mt19937_64 gen(seed ^ 0x1abe1);
  for (int& l : d.labels) l = static_cast<int>(gen() % 3);
  return d;
}

/// (rows, cols) seeded N(0,1): the upstream gradient G of the loss L = sum(G * logits).
Matrix upstream(Eigen::Index rows, Eigen::Index cols, std::uint64_t seed) {
  return random_inputs(rows, cols, seed, 1e-3, 1e-2);
}

/// The first seed from `seed` on whose input no ReLU sits at its kink and no BatchNorm
/// column is constant (gradient checks need a smooth neighbourhood).
std::uint64_t smooth_seed(const Mlp& m, Eigen::Index rows, std::uint64_t seed) {
  for (std::uint64_t s = seed; s < seed + 200; ++s) {
    if (well_conditioned(m, random_inputs(rows, m.config.inputs, s))) return s;
  }
  ADD_FAILURE() << "test bug: no smooth input found near seed " << seed;
  return seed;
}

}  // namespace

// ---- Modes -----------------------------------------------------------------------------

BNKIT_TEST(CapstoneModes, SetTrainingSwitchesEveryLayer, 3) {
  for (Norm norm : {Norm::batch, Norm::layer}) {
    for (bool training : {false, true}) {
      const MlpConfig config = small_config(norm, Placement::before_relu, 0.3);
      const std::string call = std::string("set_training(model, ") + (training ? "true" : "false") + ")";
      SCOPED_TRACE(describe(config) + ", " + call);
      // A model in the other mode, with saved activations and gradients from a train step,
      // so that "nothing else changes" covers every field.
      Mlp before = mid_training(config, 41, true);
      const Matrix x = random_inputs(6, config.inputs, 42);
      oracle::forward(before, x);
      oracle::backward(before, upstream(6, config.classes, 43));
      oracle::set_training(before, !training);

      Mlp got = before;
      set_training(got, training);
      const Origin origin = oracle_origin(call, std::nullopt);
      const std::string mode = training ? "train mode" : "eval mode";
      EXPECT_TRUE(counts_match(call + " did not switch model.training", got.training, training, origin));
      for (const auto& [name, block] : {std::pair<std::string, const HiddenBlock*>{"block1", &got.block1},
                                        std::pair<std::string, const HiddenBlock*>{"block2", &got.block2}}) {
        EXPECT_TRUE(counts_match(call + " did not switch " + name + "'s BatchNorm to " + mode +
                                     ": " + name + ".batch_norm.training",
                                 block->batch_norm.training, training, origin));
        EXPECT_TRUE(counts_match(call + " did not switch " + name + "'s Dropout to " + mode + ": " + name +
                                     ".dropout.training",
                                 block->dropout.training, training, origin));
      }
      Mlp want = before;
      oracle::set_training(want, training);
      expect_models_match(got, want, kEverything & ~kModes, kUnchanged, origin, call + ", which changes only modes");
    }
  }
}

// ---- Forward ---------------------------------------------------------------------------

BNKIT_TEST(CapstoneForward, EvalMatchesOracleForEverySwitch, 4) {
  std::uint64_t seed = 100;
  for (const MlpConfig& config : every_switch()) {
    ++seed;
    SCOPED_TRACE(describe(config) + ", eval mode, seed " + std::to_string(seed));
    guarded([&] {
      const Mlp before = mid_training(config, seed, false);
      const Matrix x = random_inputs(7, config.inputs, seed);
      Mlp got = before, want = before;
      const Matrix logits = mlp_forward(got, x);
      const Matrix expected = oracle::forward(want, x);
      const Origin origin = oracle_origin(describe(config), seed);
      EXPECT_TRUE(tensors_match("logits (eval mode)", as_tensor(logits), as_tensor(expected), Tolerance::forward(),
                                origin));
      // Eval mode changes no parameter, no buffer, no mode and no Dropout counter.
      expect_models_match(got, before, kState, kUnchanged, origin, "an eval-mode mlp_forward, which changes nothing");
    });
  }
}

BNKIT_TEST(CapstoneForward, TrainMatchesOracle, 4) {
  std::uint64_t seed = 200;
  for (const MlpConfig& config : every_switch()) {
    ++seed;
    SCOPED_TRACE(describe(config) + ", train mode, seed " + std::to_string(seed));
    guarded([&] {
      Mlp got = mid_training(config, seed, true), want = got;
      const Origin origin = oracle_origin(describe(config), seed);
      // Two calls: the second sees the first's running statistics and Dropout counter.
      for (Eigen::Index rows : {8, 5}) {
        const Matrix x = random_inputs(rows, config.inputs, seed * 10 + static_cast<std::uint64_t>(rows));
        const std::string when = "a train-mode mlp_forward of " + std::to_string(rows) + " rows";
        const Matrix logits = mlp_forward(got, x);
        const Matrix expected = oracle::forward(want, x);
        EXPECT_TRUE(tensors_match("logits (" + when + ")", as_tensor(logits), as_tensor(expected),
                                  Tolerance::forward(), origin));
        expect_models_match(got, want, kState, Tolerance::forward(), origin, when);
      }
    });
  }
}

BNKIT_TEST(CapstoneForward, TrainSavesWhatBackwardNeeds, 3) {
  std::uint64_t seed = 300;
  for (Norm norm : {Norm::batch, Norm::layer}) {
    for (Placement placement : {Placement::before_relu, Placement::after_relu}) {
      const MlpConfig config = small_config(norm, placement, 0.3);
      ++seed;
      SCOPED_TRACE(describe(config) + ", seed " + std::to_string(seed));
      guarded([&] {
        Mlp got = mid_training(config, seed, true), want = got;
        const Matrix x = random_inputs(7, config.inputs, seed);
        mlp_forward(got, x);
        oracle::forward(want, x);
        const Origin origin = oracle_origin(describe(config), seed);
        for (int k = 1; k <= 2; ++k) {
          const HiddenBlock& g = k == 1 ? got.block1 : got.block2;
          HiddenBlock& w = k == 1 ? want.block1 : want.block2;
          const std::string b = "block" + std::to_string(k);
          EXPECT_TRUE(tensors_match(b + ".norm_input (what the " + norm_name(norm) + " norm got)",
                                    as_tensor(g.norm_input), as_tensor(w.norm_input), Tolerance::forward(), origin));
          if (norm != Norm::batch) continue;
          EXPECT_TRUE(tensors_match(b + ".batch_mean", as_tensor(g.batch_mean), as_tensor(w.batch_mean),
                                    Tolerance::forward(), origin));
          // The unbiased variance (divide by B - 1) is the classic slip here: its rstd is
          // the fingerprint of that mistake.
          const double rows = static_cast<double>(x.rows());
          const Eigen::VectorXd var = w.batch_rstd.array().square().inverse() - w.batch_norm.options.eps;
          const Eigen::VectorXd unbiased_rstd =
              (var.array() * rows / (rows - 1.0) + w.batch_norm.options.eps).rsqrt().matrix();
          EXPECT_TRUE(tensors_match(b + ".batch_rstd = 1 / sqrt(biased batch variance + eps)", as_tensor(g.batch_rstd),
                                    as_tensor(w.batch_rstd), Tolerance::forward(), origin,
                                    {{"divides_by_n_minus_1", as_tensor(unbiased_rstd)}}));
        }
      });
    }
  }
}

BNKIT_TEST(CapstoneForward, StableAtLargeOffset, 2) {
  // Inputs with means 3e4..1e5 (all positive, so after_relu keeps them too): the first
  // Linear's outputs sit near 1e4..1e5 with a spread of about 1.
  std::uint64_t seed = 400;
  for (Placement placement : {Placement::before_relu, Placement::after_relu}) {
    const MlpConfig config = small_config(Norm::batch, placement, 0.3);
    ++seed;
    SCOPED_TRACE(describe(config) + ", inputs near 1e5, seed " + std::to_string(seed));
    guarded([&] {
      const Mlp before = mid_training(config, seed, true);
      const Matrix x = random_inputs(8, config.inputs, seed, 3e4, 1e5, true);
      Mlp want = before, one_pass = before;
      const Matrix expected = oracle::forward(want, x);
      oracle::forward(one_pass, x, oracle::Variance::one_pass);
      const Origin origin = oracle_origin(describe(config) + ", large offset", seed);
      // Premise: this tolerance would reject a one-pass variance E[z^2] - E[z]^2.
      ASSERT_FALSE(tensors_match("block1.batch_rstd", as_tensor(one_pass.block1.batch_rstd),
                                 as_tensor(want.block1.batch_rstd), kLargeOffset, origin))
          << "test premise: at this offset a one-pass variance should miss the tolerance";

      Mlp got = before;
      const Matrix logits = mlp_forward(got, x);
      EXPECT_TRUE(tensors_match("logits", as_tensor(logits), as_tensor(expected), kLargeOffset, origin));
      EXPECT_TRUE(tensors_match("block1.batch_rstd", as_tensor(got.block1.batch_rstd),
                                as_tensor(want.block1.batch_rstd), kLargeOffset, origin));
      EXPECT_TRUE(tensors_match("block1.batch_norm.running_var", as_tensor(got.block1.batch_norm.running_var),
                                as_tensor(want.block1.batch_norm.running_var), kLargeOffset, origin));
      EXPECT_TRUE(tensors_match("block1.batch_norm.running_mean", as_tensor(got.block1.batch_norm.running_mean),
                                as_tensor(want.block1.batch_norm.running_mean), kLargeOffset, origin));
    });
  }
}

// ---- Backward --------------------------------------------------------------------------

/// The gradient-check configurations: every norm and placement, Dropout on (fixed masks).
std::vector<MlpConfig> gradient_configs(double dropout) {
  std::vector<MlpConfig> out;
  for (Norm n : {Norm::batch, Norm::layer, Norm::none})
    for (Placement p : {Placement::before_relu, Placement::after_relu}) out.push_back(small_config(n, p, dropout));
  return out;
}

BNKIT_TEST(CapstoneBackward, MatchesCentralDifferences, 5) {
  std::uint64_t seed = 500;
  for (const MlpConfig& config : gradient_configs(0.3)) {
    seed += 10;
    const Mlp start = mid_training(config, seed, true);
    const std::uint64_t s = smooth_seed(start, 6, seed);
    SCOPED_TRACE(describe(config) + ", batch of 6, seed " + std::to_string(s));
    guarded([&] {
      check_mlp_gradients(start, random_inputs(6, config.inputs, s), upstream(6, config.classes, s + 1), kCentral,
                          describe(config), s);
    });
  }
}

BNKIT_TEST(CapstoneBackward, MatchesOracle, 4) {
  std::uint64_t seed = 600;
  for (double dropout : {0.3, 0.0}) {
    for (const MlpConfig& config : gradient_configs(dropout)) {
      seed += 10;
      const Mlp start = mid_training(config, seed, true);
      const Eigen::Index rows = dropout > 0 ? 7 : 5;
      SCOPED_TRACE(describe(config) + ", batch of " + std::to_string(rows) + ", seed " + std::to_string(seed));
      guarded([&] {
        check_mlp_gradients(start, random_inputs(rows, config.inputs, seed),
                            upstream(rows, config.classes, seed + 1), kAgainstOracle, describe(config), seed);
      });
    }
  }
}

// ---- Eval mode -------------------------------------------------------------------------

BNKIT_TEST(CapstoneEval, SameForAnyBatchSplit, 3) {
  std::uint64_t seed = 700;
  for (Norm norm : {Norm::batch, Norm::layer, Norm::none}) {
    for (Placement placement : {Placement::before_relu, Placement::after_relu}) {
      const MlpConfig config = small_config(norm, placement, 0.3);
      ++seed;
      SCOPED_TRACE(describe(config) + ", eval mode, seed " + std::to_string(seed));
      guarded([&] {
        const Mlp model = mid_training(config, seed, false);
        const Matrix x = random_inputs(9, config.inputs, seed);
        const Origin origin = oracle_origin(describe(config), seed);
        Mlp m = model;
        Matrix whole;
        if (!valid_call("an eval-mode mlp_forward of 9 rows", [&] { whole = mlp_forward(m, x); })) return;
        // Dropout is off in eval mode: the output equals the oracle's with no Dropout at all.
        Mlp no_dropout = model;
        no_dropout.block1.dropout.p = no_dropout.block2.dropout.p = 0.0;
        const Matrix expected = oracle::forward(no_dropout, x);
        EXPECT_TRUE(tensors_match("logits (eval mode, so Dropout is the identity)", as_tensor(whole),
                                  as_tensor(expected), Tolerance::forward(), origin));
        if (norm == Norm::batch) {
          // BatchNorm uses its running statistics: moving running_mean moves the output.
          Mlp moved = model;
          moved.block1.batch_norm.running_mean.array() += 0.75;
          Mlp moved_oracle = moved;
          const Matrix expected_moved = oracle::forward(moved_oracle, x);
          ASSERT_FALSE(tensors_match("premise", as_tensor(expected_moved), as_tensor(expected),
                                     Tolerance::forward(), origin))
              << "test premise: moving running_mean should move the eval-mode output";
          Matrix got_moved;
          if (!valid_call("an eval-mode mlp_forward", [&] { got_moved = mlp_forward(moved, x); })) return;
          EXPECT_TRUE(tensors_match("logits after block1.batch_norm.running_mean += 0.75 (eval mode normalises "
                                    "with the running statistics)",
                                    as_tensor(got_moved), as_tensor(expected_moved), Tolerance::forward(), origin,
                                    {{"batch_stats_in_eval", as_tensor(whole)}}));
        }
        // The same rows in batches of 1, 3 and 5, each on the model as it was.
        Matrix parts(x.rows(), config.classes);
        for (const auto& [start, n] : {std::pair<Eigen::Index, Eigen::Index>{0, 1}, {1, 3}, {4, 5}}) {
          Mlp part = model;
          const std::string what = "an eval-mode mlp_forward of " + std::to_string(n) + " row" + (n > 1 ? "s" : "");
          if (!valid_call(what, [&] { parts.middleRows(start, n) = mlp_forward(part, x.middleRows(start, n)); })) {
            return;
          }
        }
        EXPECT_TRUE(tensors_match("logits of the rows in batches of 1, 3 and 5 (eval mode: no sample may depend "
                                  "on another)",
                                  as_tensor(parts), as_tensor(whole), Tolerance::forward(),
                                  {"your own eval-mode forward of all 9 rows at once", describe(config), seed}));
      });
    }
  }
}

// ---- Errors ----------------------------------------------------------------------------

BNKIT_TEST(CapstoneErrors, RefusedCallsChangeNothing, 3) {
  for (Placement placement : {Placement::before_relu, Placement::after_relu}) {
    const MlpConfig config = small_config(Norm::batch, placement, 0.3);
    SCOPED_TRACE(describe(config));
    guarded([&] {
      // A batch of one in train mode: BatchNorm has one value per channel (lesson 04).
      const Mlp before = mid_training(config, 801, true);
      Mlp got = before;
      const Matrix one = random_inputs(1, config.inputs, 802);
      EXPECT_TRUE(throws_invalid_argument([&] { mlp_forward(got, one); },
                                          std::vector<std::string>{"Expected more than 1 value per channel when training",
                                           "got input size [1, 5]"}));
      const Origin origin{"the model before the refused call", describe(config), std::nullopt};
      // Parameters, modes, running statistics and Dropout counters are as they were.
      // (block1's num_batches_tracked is lesson 04's business: PyTorch counts the call
      // before it refuses the batch. block2 never ran.)
      expect_models_match(got, before, kModes | kParameters | kDropout, kUnchanged, origin,
                          "a refused train-mode mlp_forward of one row");
      for (int k = 1; k <= 2; ++k) {
        const BatchNorm1d& g = (k == 1 ? got.block1 : got.block2).batch_norm;
        const BatchNorm1d& w = (k == 1 ? before.block1 : before.block2).batch_norm;
        const std::string b = "block" + std::to_string(k) + ".batch_norm.";
        EXPECT_TRUE(tensors_match(b + "running_mean (after a refused call)", as_tensor(g.running_mean),
                                  as_tensor(w.running_mean), kUnchanged, origin));
        EXPECT_TRUE(tensors_match(b + "running_var (after a refused call)", as_tensor(g.running_var),
                                  as_tensor(w.running_var), kUnchanged, origin));
      }
      EXPECT_TRUE(counts_match("block2.batch_norm.num_batches_tracked (block2 never ran)",
                               got.block2.batch_norm.num_batches_tracked,
                               before.block2.batch_norm.num_batches_tracked, origin));

      // Pairs: one row is fine in eval mode, and in train mode without BatchNorm.
      Mlp eval = mid_training(config, 803, false);
      EXPECT_TRUE(accepts([&] { mlp_forward(eval, one); }, "one row in eval mode (running statistics)"));
      for (Norm other : {Norm::layer, Norm::none}) {
        Mlp m = mid_training(small_config(other, placement, 0.3), 804, true);
        EXPECT_TRUE(accepts([&] { mlp_forward(m, one); },
                            std::string("one row in train mode with norm=") + norm_name(other)));
      }

      // A wrong input width: Linear's message, in both modes, and nothing changes at all.
      for (bool training : {true, false}) {
        const Mlp start = mid_training(config, 805, training);
        Mlp m = start;
        const Matrix wide = random_inputs(4, config.inputs + 1, 806);
        EXPECT_TRUE(throws_invalid_argument([&] { mlp_forward(m, wide); },
                                            std::vector<std::string>{"Linear: input should have 6 columns", "got shape [4, 7]"}));
        expect_models_match(m, start, kState, kUnchanged, origin,
                            std::string("a refused ") + (training ? "train" : "eval") + "-mode mlp_forward of 7 columns");
      }
    });
  }
}

// ---- The training loop -----------------------------------------------------------------

BNKIT_TEST(CapstoneTrainEpoch, SwitchesToTrainMode, 3) {
  for (Norm norm : {Norm::batch, Norm::layer}) {
    const MlpConfig config = small_config(norm, Placement::before_relu, 0.3);
    SCOPED_TRACE(describe(config) + ", handed in in eval mode");
    guarded([&] {
      Mlp model = make_mlp(config, 901);
      oracle::set_training(model, false);
      const Dataset data = small_data(40, 902);  // batches of 8: 5 batches
      Sgd sgd;
      // A train_epoch that throws still hands back what it did to the model: check that too.
      valid_call("train_epoch()", [&] { train_epoch(model, sgd, data, 8, 903); });
      const Origin origin{"5 batches of 8 from a fresh model handed in in eval mode", describe(config), 903};
      if (norm == Norm::batch && model.block1.batch_norm.num_batches_tracked == 0) {
        ADD_FAILURE() << "train_epoch() did not switch to train mode: num_batches_tracked stayed 0 (call "
                         "set_training(model, true) first: eval mode uses and updates nothing)";
      }
      EXPECT_TRUE(counts_match("model.training after train_epoch() (it switches to train mode)", model.training, true,
                               origin));
      for (int k = 1; k <= 2; ++k) {
        const HiddenBlock& b = k == 1 ? model.block1 : model.block2;
        const std::string name = "block" + std::to_string(k);
        EXPECT_TRUE(counts_match(name + ".dropout.training after train_epoch()", b.dropout.training, true, origin));
        EXPECT_TRUE(counts_match(name + ".dropout.calls: train_epoch() did not train with Dropout on (one mask per "
                                        "batch)",
                                 static_cast<long>(b.dropout.calls), 5, origin));
        if (norm != Norm::batch) continue;
        EXPECT_TRUE(counts_match(name + ".batch_norm.training after train_epoch()", b.batch_norm.training, true,
                                 origin));
        EXPECT_TRUE(counts_match(name + ".batch_norm.num_batches_tracked (one per batch)",
                                 b.batch_norm.num_batches_tracked, 5, origin));
      }
    });
  }
}

BNKIT_TEST(CapstoneTrainEpoch, ReplaysExactly, 5) {
  // 64 real images, batches of 16, two epochs, momentum and weight decay: the oracle
  // replays the same epochs with the kit's batches, layers and Sgd.
  const Dataset data = slice(subset("train"), 100, 64);
  struct Setup {
    Norm norm;
    Placement placement;
  };
  std::uint64_t seed = 1000;
  for (const Setup& s : {Setup{Norm::batch, Placement::before_relu}, Setup{Norm::layer, Placement::after_relu},
                         Setup{Norm::none, Placement::before_relu}, Setup{Norm::batch, Placement::after_relu}}) {
    MlpConfig config;
    config.hidden1 = 16;
    config.hidden2 = 12;
    config.norm = s.norm;
    config.placement = s.placement;
    seed += 10;
    SCOPED_TRACE(describe(config) + ", 64 images, batch 16, 2 epochs, seed " + std::to_string(seed));
    guarded([&] {
      Mlp got = make_mlp(config, seed), want = got;
      SgdOptions options;
      options.lr = 0.05;
      options.momentum = 0.9;
      options.weight_decay = 1e-3;
      Sgd got_sgd(options), want_sgd(options);
      const Origin origin = oracle_origin("replay of train_epoch: " + describe(config), seed);
      for (int epoch = 1; epoch <= 2; ++epoch) {
        const std::uint64_t shuffle = seed + static_cast<std::uint64_t>(epoch);
        const std::string when = "epoch " + std::to_string(epoch) + " (shuffle seed " + std::to_string(shuffle) + ")";
        double loss = 0.0;
        if (!valid_call("train_epoch()", [&] { loss = train_epoch(got, got_sgd, data, 16, shuffle); })) return;
        const double expected = oracle::train_epoch(want, want_sgd, data, 16, shuffle);
        EXPECT_TRUE(scalars_match("the returned loss, the mean of the 4 batches' losses (" + when + ")", loss,
                                  expected, kReplay, origin));
        expect_models_match(got, want, kState, kReplay, origin, when);
        EXPECT_TRUE(counts_match("Sgd momentum buffers (one per parameter tensor), " + when,
                                 static_cast<long>(got_sgd.velocity.size()),
                                 static_cast<long>(want_sgd.velocity.size()), origin));
        for (std::size_t i = 0; i < std::min(got_sgd.velocity.size(), want_sgd.velocity.size()); ++i) {
          EXPECT_TRUE(tensors_match("Sgd velocity " + std::to_string(i) + " (" + when + ")",
                                    as_tensor(got_sgd.velocity[i]), as_tensor(want_sgd.velocity[i]), kReplay,
                                    origin));
        }
      }
    });
  }
}

// ---- Learning: accuracies the trusted side measures ------------------------------------
//
// The protocol: make_mlp(MlpConfig{}, seed) (the notes' 784-128-64-10 with Dropout 0.3),
// epoch e (from 0) shuffled with seed * 1000 + e, batches of 32, Sgd without momentum,
// weight decay 1e-4; the test accuracy is the oracle's eval-mode forward of the returned
// parameters on the subset's 1,000 test images.
//
// Measured with the reference solution built at -O2 (a small driver that runs exactly this
// protocol for each seed and evaluates on the same 1,000 test images):
//   lr 0.1, 3 epochs, seeds 1..40:  BN 0.750 .. 0.820 (mean 0.791), plain 0.638 .. 0.761 (mean 0.715)
//   lr 1.0, 1 epoch,  seeds 1..40:  BN 0.588 .. 0.786 (mean 0.709), plain 0.087 .. 0.269 (mean 0.138);
//                                   BN ahead on every seed, by at least 0.401; the mean gap of
//                                   every group of 4 consecutive seeds is 0.509 .. 0.635
//   the seeds the tests use: seed 1 at lr 0.1, BN 0.779 and plain 0.702; seeds 1..4 at lr 1.0,
//   gaps 0.474, 0.597, 0.576 and 0.483 (mean 0.53)
// So the criteria below hold with margins: BN >= 0.72 (0.030 under the worst seed), plain
// >= 0.60 (0.038), and at lr 1.0 "BN ahead on at least 3 of 4 seeds and by 0.25 on average"
// (0.26 under the worst group), while a model that does not learn stays near 0.1.

namespace {

struct TrainedRun {
  double accuracy = 0.0;
  bool finished = false;
};

/// Trains a fresh model with the code under test and measures it on the trusted side.
TrainedRun train_and_measure(Norm norm, std::uint64_t seed, double lr, int epochs, const std::string& what) {
  MlpConfig config;
  config.norm = norm;
  Mlp model = make_mlp(config, seed);
  Sgd sgd = recipe_sgd(lr);
  TrainedRun run;
  for (int e = 0; e < epochs; ++e) {
    if (!valid_call(what + ": train_epoch()", [&] {
          train_epoch(model, sgd, subset("train"), 32, seed * 1000 + static_cast<std::uint64_t>(e));
        })) {
      return run;
    }
  }
  run.accuracy = oracle::accuracy(model, subset("test"));
  run.finished = true;
  return run;
}

std::string percent(double a) {
  char s[32];
  std::snprintf(s, sizeof s, "%.1f%%", 100.0 * a);
  return s;
}

}  // namespace

BNKIT_TEST(CapstoneTraining, LearnsFashionMnist, 4) {
  // 3 epochs over the 3,000 training images at lr 0.1, seed 1.
  for (const auto& [norm, least] : {std::pair<Norm, double>{Norm::batch, 0.72}, {Norm::none, 0.60}}) {
    const std::string what = std::string("norm=") + norm_name(norm) + ", lr 0.1, 3 epochs, seed 1";
    SCOPED_TRACE(what);
    guarded([&] {
      const TrainedRun run = train_and_measure(norm, 1, 0.1, 3, what);
      if (!run.finished) return;
      EXPECT_GE(run.accuracy, least) << "after 3 epochs the " << (norm == Norm::batch ? "BatchNorm" : "plain")
                                     << " model classifies " << percent(run.accuracy)
                                     << " of the 1,000 test images right (measured by the grader on the "
                                        "parameters train_epoch() returned); a correct wiring reaches at least "
                                     << percent(least) << " (the reference: " << (norm == Norm::batch ? "75-82%" : "64-76%")
                                     << " over 40 seeds)";
    });
  }
}

BNKIT_TEST(CapstoneTraining, BatchNormToleratesHighLearningRate, 4) {
  // lr 1.0, one epoch, seeds 1..4: the plain model diverges, the BatchNorm one learns.
  int ahead = 0;
  double gap = 0.0;
  std::string table;
  for (std::uint64_t seed = 1; seed <= 4; ++seed) {
    const TrainedRun bn = train_and_measure(Norm::batch, seed, 1.0, 1, "norm=batch, lr 1.0, seed " + std::to_string(seed));
    const TrainedRun plain = train_and_measure(Norm::none, seed, 1.0, 1, "norm=none, lr 1.0, seed " + std::to_string(seed));
    if (!bn.finished || !plain.finished) return;
    ahead += bn.accuracy > plain.accuracy;
    gap += (bn.accuracy - plain.accuracy) / 4.0;
    table += "\n  seed " + std::to_string(seed) + ": BatchNorm " + percent(bn.accuracy) + ", plain " +
             percent(plain.accuracy);
  }
  EXPECT_TRUE(ahead >= 3 && gap >= 0.25)
      << "at lr 1.0 the BatchNorm model should beat the plain one on at least 3 of 4 seeds and by at least 25 "
         "points on average; it was ahead on "
      << ahead << " and by " << percent(gap) << " on average (accuracies measured by the grader):" << table
      << "\n  (the reference: ahead on every seed of 40, by 40 points or more)";
}

// ---- evaluate --------------------------------------------------------------------------

BNKIT_TEST(CapstoneEvaluate, ReturnsTrustedAccuracy, 3) {
  // A model the oracle trains briefly (so accuracy is far from chance and far from 1),
  // handed to evaluate() in TRAIN mode, on 203 test images in batches of 16 (the last has 11).
  MlpConfig config;
  config.hidden1 = 16;
  config.hidden2 = 12;
  Mlp trained = make_mlp(config, 1201);
  Sgd sgd;
  oracle::train_epoch(trained, sgd, slice(subset("train"), 0, 600), 30, 1202);
  const Dataset data = slice(subset("test"), 0, 203);
  const double expected = static_cast<double>(oracle::correct_count(trained, data)) / 203.0;
  oracle::set_training(trained, true);
  // Premise: in train mode (batch statistics, Dropout on) the count would differ.
  {
    Mlp m = trained;
    Eigen::Index correct = 0;
    std::vector<int> labels;
    for (const auto& idx : ordered_batches(data.size(), 16)) {
      const std::vector<int> p = predictions(oracle::forward(m, data.batch(idx, labels)));
      for (std::size_t i = 0; i < p.size(); ++i) correct += p[i] == labels[i];
    }
    ASSERT_NE(static_cast<double>(correct) / 203.0, expected) << "test premise: train mode should score differently";
  }
  const Mlp before = trained;
  Mlp got = trained;
  const double accuracy = evaluate(got, data, 16);
  const Origin origin{"the grader's own eval-mode forward of these parameters (oracle.hpp)", "203 test images", 1201};
  EXPECT_TRUE(scalars_match("evaluate()'s accuracy", accuracy, expected, kCountedFraction, origin));
  const std::pair<bool, std::string> modes[] = {
      {got.training, "evaluate() left model.training on"},
      {got.block1.batch_norm.training, "evaluate() left block1's BatchNorm in train mode"},
      {got.block2.batch_norm.training, "evaluate() left block2's BatchNorm in train mode"},
      {got.block1.dropout.training, "evaluate() left Dropout on (block1)"},
      {got.block2.dropout.training, "evaluate() left Dropout on (block2)"},
  };
  for (const auto& [on, message] : modes) {
    if (on) ADD_FAILURE() << message << ": it evaluates, and leaves the model, in eval mode";
  }
  expect_models_match(got, before, kParameters | kBuffers | kDropout, kUnchanged, origin,
                      "evaluate(), which changes no parameter, buffer or Dropout counter");
}
