// Lesson 04 hidden tests (instructor mode): random sequences of train/eval calls on layers
// with every combination of switches, inputs drawn fresh from the run's seed, expected
// values from the reference solution (the oracle). Shapes, switches and call sequences are
// unlike the visible cases, so answers that only fit the visible data earn nothing here.
#include "eval_mode.hpp"
#include "layer_hidden.hpp"
#include "lesson_test.hpp"

#include "bnkit/todo.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using bnkit::BatchNorm1d;
using bnkit::BatchNormOptions;
using bnkit::Index;
using bnkit::Tensor;
using bnkit::grader::case_seed;
using bnkit::grader::hidden_case;
using bnkit::grader::Tolerance;
using bnkit::grader::combo_name;

/// Random draws of one hidden case, reproducible from its seed.
struct Draw : bnkit::grader::LayerDraw {
  using bnkit::grader::LayerDraw::LayerDraw;
  /// A tensor of this shape (rank 2 or 3) whose channel c is offset_c + scale_c * N(0,1):
  /// every channel its own location and spread.
  Tensor input(const std::vector<Index>& shape, double offset_lo, double offset_hi, double scale_lo,
               double scale_hi) {
    Tensor x(shape);
    const Index n = shape[0], channels = shape[1], length = shape.size() == 3 ? shape[2] : 1;
    for (Index c = 0; c < channels; ++c) {
      const double offset = sign() * log_uniform(offset_lo, offset_hi);
      const double scale = log_uniform(scale_lo, scale_hi);
      for (Index i = 0; i < n; ++i)
        for (Index l = 0; l < length; ++l) x(i, c, l) = offset + scale * normal();
    }
    return x;
  }
};

/// Compares every field of the layer (settings, mode, parameters, buffers, counter).
void expect_same_layer(const BatchNorm1d& got, const BatchNorm1d& want, Tolerance tol,
                       const bnkit::grader::Origin& origin, const std::string& when) {
  bnkit::grader::expect_same_fields_as_reference(got, want, tol, origin, when);
}

/// The layer both the code under test and the reference build from these switches,
/// compared; then gamma and beta get random values (when affine) so the affine step shows.
BatchNorm1d build_layer(Draw& draw, Index channels, const BatchNormOptions& options,
                        const bnkit::grader::Origin& origin) {
  return bnkit::grader::built_by_both<BatchNorm1d>(draw, channels, options, origin, "BatchNorm1d", expect_same_layer);
}

/// What a sequence draws its inputs from.
struct InputStyle {
  int rank;                    ///< 2: (N,C); 3: (N,C,L)
  double offset_lo, offset_hi;  ///< channel offsets (both signs)
  double scale_lo, scale_hi;    ///< channel spreads
  Tolerance tol;
};

/// The shape of one call: any N (1 included) where the running statistics normalise,
/// more than one value per channel where batch statistics do, an empty batch now and then.
std::vector<Index> draw_shape(Draw& draw, const InputStyle& style, Index channels, bool batch_stats) {
  const Index max_n = style.rank == 2 ? 64 : 16;
  Index n = draw.integer(1, max_n), length = style.rank == 3 ? draw.integer(1, 12) : 1;
  if (draw.chance(0.08)) {
    (style.rank == 3 && draw.chance(0.5) ? length : n) = 0;  // empty: (0,C), (0,C,L) or (N,C,0)
  } else if (batch_stats && n * length == 1) {
    n = 2;  // batch statistics need two values per channel (the bad-input test covers one)
  }
  if (style.rank == 2) return {n, channels};
  return {n, channels, length};
}

/// A random sequence of train/eval calls. Before every call the code under test gets the
/// reference's layer, so each call is judged on its own and a mistake is reported where
/// it happens; after every call y and every field are compared.
void replay_sequence(Draw& draw, const BatchNormOptions& options, const InputStyle& style,
                     const std::string& name, std::uint64_t seed) {
  const bnkit::grader::Origin origin{"the reference solution (hidden case)", name, seed};
  const Index channels = draw.integer(1, 40);
  BatchNorm1d want = build_layer(draw, channels, options, origin);
  const int calls = static_cast<int>(draw.integer(5, 8));
  for (int k = 1; k <= calls; ++k) {
    // Mostly train early on, so eval sees running statistics that moved.
    const bool train = k == 1 || draw.chance(k <= 3 ? 0.7 : 0.4);
    const bool batch_stats = train || !options.track_running_stats;
    const Tensor x = draw.input(draw_shape(draw, style, channels, batch_stats), style.offset_lo,
                                style.offset_hi, style.scale_lo, style.scale_hi);
    BatchNorm1d got = want;
    got.train(train);
    want.train(train);
    const Tensor y_want = bnkit::grader::with_oracle([&] { return want.forward(x); });
    const Tensor y_got = got.forward(x);
    const std::string when = "after call " + std::to_string(k) + " (" + (train ? "train" : "eval") +
                             " mode, x of shape " + bnkit::shape_string(x.shape()) + ")";
    EXPECT_TRUE(bnkit::grader::tensors_match("y of call " + std::to_string(k), y_got, y_want, style.tol, origin))
        << "\n  " << when;
    expect_same_layer(got, want, style.tol, origin, when);
  }
}

BatchNormOptions switches(Draw& draw, int k) { return bnkit::grader::switches<BatchNormOptions>(draw, k); }

/// One side of a bad-input case: the layer, and the y of its call.
struct Called {
  BatchNorm1d layer;
  Tensor y;
};

}  // namespace

// Catches, on (N,C) input with each of the 8 switch combinations: batch statistics in eval
// (or running ones in train), buffers or the counter changed in eval, the counter not
// counting (empty batches included), momentum applied the Keras way or none mishandled,
// the biased variance stored, affine = false still scaling, track_running_stats = false
// still creating or using buffers, and a batch of one refused in eval with running stats.
BNKIT_HIDDEN_TEST(HiddenBatchNorm1dLayer, RandomSequencesNC, 3) {
  for (int k = 0; k < 8; ++k) {
    const std::uint64_t seed = case_seed(41, k);
    Draw draw(seed);
    const BatchNormOptions options = switches(draw, k);
    const std::string name = "nc_" + combo_name(options);
    hidden_case(name, seed, [&] {
      replay_sequence(draw, options, {2, 1e-2, 50.0, 1e-3, 1e3, Tolerance::forward()}, name, seed);
    });
  }
}

// Catches, on (N,C,L) input with each of the 8 switch combinations: statistics over N only
// (per (c, l) position) or over L only, M = N instead of N*L in the Bessel factor and the
// one-value check, (N,C,L) indexing mistakes, and everything RandomSequencesNC catches.
BNKIT_HIDDEN_TEST(HiddenBatchNorm1dLayer, RandomSequencesNCL, 3) {
  for (int k = 0; k < 8; ++k) {
    const std::uint64_t seed = case_seed(42, k);
    Draw draw(seed);
    const BatchNormOptions options = switches(draw, k);
    const std::string name = "ncl_" + combo_name(options);
    hidden_case(name, seed, [&] {
      replay_sequence(draw, options, {3, 1e-2, 50.0, 1e-3, 1e3, Tolerance::forward()}, name, seed);
    });
  }
}

// Catches: a one-pass variance E[x^2] - E[x]^2 in the layer, which cancels when the mean
// (1e4..1e5) dwarfs the spread (0.05..0.5), in train mode and in the buffers eval uses.
BNKIT_HIDDEN_TEST(HiddenBatchNorm1dLayer, LargeOffsetsStayStable, 2) {
  for (int k = 0; k < 4; ++k) {
    const std::uint64_t seed = case_seed(43, k);
    Draw draw(seed);
    BatchNormOptions options = switches(draw, static_cast<int>(draw.integer(0, 7)));
    options.track_running_stats = true;  // so eval uses the buffers the large batches fed
    const int rank = k % 2 == 0 ? 2 : 3;
    const std::string name = (rank == 2 ? "nc_offset_" : "ncl_offset_") + combo_name(options);
    hidden_case(name, seed, [&] {
      replay_sequence(draw, options, {rank, 1e4, 1e5, 0.05, 0.5, bnkit::grader::kLargeOffsetRounding}, name, seed);
    });
  }
}

// Catches: missing rank or channel checks, the one-value check missing, applied to N
// instead of M = N*L, applied in eval with running statistics (where a batch of one is
// fine) or skipped in eval without them, wrong messages, and layer fields left
// differently from the reference after a throw. As in PyTorch (and the reference), a
// train-mode call with tracking counts in num_batches_tracked before the one-value check
// throws; nothing else may change. Each call has one problem, so the message is fixed by
// the contract.
BNKIT_HIDDEN_TEST(HiddenBatchNorm1dLayer, BadInputThrowsLikeReference, 2) {
  for (int k = 0; k < 10; ++k) {
    const std::uint64_t seed = case_seed(44, k);
    Draw draw(seed);
    BatchNormOptions options = switches(draw, static_cast<int>(draw.integer(0, 7)));
    const Index channels = draw.integer(1, 40), n = draw.integer(2, 16), length = draw.integer(2, 6);
    const Index off_by = draw.integer(1, std::min<Index>(channels, 5));
    const Index wrong = draw.sign() > 0 ? channels + off_by : channels - off_by;  // 0..C-1 or C+1..C+5
    bool train = draw.chance(0.5);
    std::vector<Index> shape;
    std::string name;
    switch (k) {
      case 0: shape = {n * channels}; name = "rank_1"; break;
      case 1: shape = {n, channels, length, 2}; name = "rank_4"; break;
      case 2: shape = {n, channels, length, 2, 2}; name = "rank_5"; break;
      case 3: shape = {n, wrong}; name = "wrong_channels_nc"; break;
      case 4: shape = {n, wrong, length}; name = "wrong_channels_ncl"; break;
      case 5: shape = {1, channels}; train = true; name = "train_batch_of_one_nc"; break;
      case 6: shape = {1, channels, 1}; train = true; name = "train_batch_of_one_ncl"; break;
      case 7: shape = {1, channels}; train = false; options.track_running_stats = false;
              name = "eval_batch_of_one_untracked"; break;
      case 8: shape = {1, channels}; train = false; options.track_running_stats = true;
              name = "eval_batch_of_one_tracked_is_valid"; break;
      default: shape = {1, channels, length}; train = true; name = "train_one_sample_of_length_l_is_valid"; break;
    }
    name += "_" + combo_name(options) + (train ? "_train" : "_eval");
    hidden_case(name, seed, [&] {
      const bnkit::grader::Origin origin{"the reference solution (hidden case)", name, seed};
      // The reference's layer, mid-training: random parameters and buffers.
      Called want{bnkit::grader::reference_mid_training<BatchNorm1d>(draw, channels, options), Tensor()};
      want.layer.train(train);
      Tensor x(shape);
      for (Index i = 0; i < x.numel(); ++i) x.values()[i] = draw.uniform(-3.0, 3.0);
      Called got = want;
      const bnkit::grader::Ends ends =
          bnkit::grader::run_on_both(want, got, [&](Called& side) { side.y = side.layer.forward(x); });
      const std::string call = std::string(train ? "train" : "eval") + "-mode forward on x of shape " +
                               bnkit::shape_string(x.shape()) + ", layer of " + std::to_string(channels) +
                               " channels, " + bnkit::grader::switches_string(options);
      EXPECT_TRUE(ends.alike(call));
      if (ends.both_returned()) {
        EXPECT_TRUE(bnkit::grader::tensors_match("y", got.y, want.y, Tolerance::forward(), origin));
      }
      expect_same_layer(got.layer, want.layer, Tolerance::forward(), origin,
                        ends.expected.threw ? "after the throw" : "after the call");
    });
  }
}
