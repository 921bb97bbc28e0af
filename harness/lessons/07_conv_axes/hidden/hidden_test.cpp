// Lesson 07 hidden tests (instructor mode): random sequences of train/eval calls, each
// followed by backward, on BatchNorm2d layers with every combination of switches; inputs
// drawn fresh from the run's seed, expected values from the reference solution (the
// oracle). Shapes (tall, wide, single images, single pixels in eval), switches and call
// sequences are unlike the visible cases, so answers fitted to those earn nothing here.
#include "conv_axes.hpp"
#include "layer_hidden.hpp"
#include "lesson_test.hpp"

#include "bnkit/todo.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace {

using bnkit::BatchNorm2d;
using bnkit::BatchNorm2dGrads;
using bnkit::BatchNormOptions;
using bnkit::Index;
using bnkit::Tensor;
using bnkit::grader::case_seed;
using bnkit::grader::hidden_case;
using bnkit::grader::Tolerance;
using bnkit::grader::combo_name;

struct Draw : bnkit::grader::LayerDraw {
  using bnkit::grader::LayerDraw::LayerDraw;
  /// An (N,C,H,W) tensor whose channel c is offset_c + scale_c * N(0,1).
  Tensor input(const std::vector<Index>& shape, double offset_lo, double offset_hi, double scale_lo,
               double scale_hi) {
    Tensor x(shape);
    for (Index c = 0; c < shape[1]; ++c) {
      const double offset = sign() * log_uniform(offset_lo, offset_hi);
      const double scale = log_uniform(scale_lo, scale_hi);
      for (Index i = 0; i < shape[0]; ++i)
        for (Index h = 0; h < shape[2]; ++h)
          for (Index w = 0; w < shape[3]; ++w) x(i, c, h, w) = offset + scale * normal();
    }
    return x;
  }
  Tensor gradient(const std::vector<Index>& shape) {
    Tensor dy(shape);
    for (Index i = 0; i < dy.numel(); ++i) dy.values()[i] = normal() * 2.0 + uniform(-1.0, 1.0);
    return dy;
  }
};

/// Compares every field of the layer (settings, mode, parameters, buffers, counter, saved
/// statistics).
void expect_same_layer(const BatchNorm2d& got, const BatchNorm2d& want, Tolerance tol,
                       const bnkit::grader::Origin& origin, const std::string& when) {
  using bnkit::grader::tensors_match;
  using bnkit::grader::to_tensor;
  bnkit::grader::expect_same_fields_as_reference(got, want, tol, origin, when);
  EXPECT_TRUE(tensors_match("save_mean " + when, to_tensor(got.save_mean), to_tensor(want.save_mean), tol, origin));
  EXPECT_TRUE(tensors_match("save_rstd " + when, to_tensor(got.save_rstd), to_tensor(want.save_rstd), tol, origin));
}

void expect_same_grads(const BatchNorm2dGrads& got, const BatchNorm2dGrads& want, Tolerance tol,
                       const bnkit::grader::Origin& origin, const std::string& when) {
  using bnkit::grader::tensors_match;
  using bnkit::grader::to_tensor;
  EXPECT_TRUE(tensors_match("dx " + when, got.dx, want.dx, tol, origin));
  EXPECT_TRUE(tensors_match("dgamma " + when, to_tensor(got.dgamma), to_tensor(want.dgamma), tol, origin));
  EXPECT_TRUE(tensors_match("dbeta " + when, to_tensor(got.dbeta), to_tensor(want.dbeta), tol, origin));
}

BatchNormOptions switches(Draw& draw, int k) { return bnkit::grader::switches<BatchNormOptions>(draw, k); }

/// One side of a call judged against the reference: the layer, and what its call returned.
struct Called {
  BatchNorm2d layer;
  Tensor y;
  BatchNorm2dGrads grads;
};

struct InputStyle {
  double offset_lo, offset_hi;  ///< channel offsets (both signs)
  double scale_lo, scale_hi;    ///< channel spreads
  Tolerance tol, grad_tol;
};

/// The shape of one call: single images, tall and wide planes, a single pixel where the
/// running statistics normalise, more than one value per channel where batch statistics
/// do, an empty input now and then.
std::vector<Index> draw_shape(Draw& draw, Index channels, bool batch_stats) {
  Index n = draw.integer(1, 6), h = draw.integer(1, 7), w = draw.integer(1, 7);
  if (draw.chance(0.2)) n = 1;
  if (draw.chance(0.15)) h = w = 1;
  if (draw.chance(0.06)) {
    (draw.chance(0.5) ? n : (draw.chance(0.5) ? h : w)) = 0;
  } else if (batch_stats && n * h * w == 1) {
    w = 2;  // batch statistics need two values per channel (the bad-input test covers one)
  }
  return {n, channels, h, w};
}

/// A random sequence of train/eval calls, each followed by backward. Before every call the
/// code under test gets the reference's layer, so each call is judged on its own.
void replay_sequence(Draw& draw, const BatchNormOptions& options, const InputStyle& style, const std::string& name,
                     std::uint64_t seed) {
  const bnkit::grader::Origin origin{"the reference solution (hidden case)", name, seed};
  const Index channels = draw.integer(1, 24);
  BatchNorm2d want =
      bnkit::grader::built_by_both<BatchNorm2d>(draw, channels, options, origin, "BatchNorm2d", expect_same_layer);
  const int calls = static_cast<int>(draw.integer(5, 8));
  for (int k = 1; k <= calls; ++k) {
    const bool train = k == 1 || draw.chance(k <= 3 ? 0.7 : 0.4);
    const bool batch_stats = train || !options.track_running_stats;
    const Tensor x = draw.input(draw_shape(draw, channels, batch_stats), style.offset_lo, style.offset_hi,
                                style.scale_lo, style.scale_hi);
    const Tensor dy = draw.gradient(x.shape());
    BatchNorm2d got = want;
    got.train(train);
    want.train(train);
    const std::string when = "after call " + std::to_string(k) + " (" + (train ? "train" : "eval") +
                             " mode, x of shape " + bnkit::shape_string(x.shape()) + ")";
    const Tensor y_want = bnkit::grader::with_oracle([&] { return want.forward(x); });
    const Tensor y_got = got.forward(x);
    EXPECT_TRUE(bnkit::grader::tensors_match("y of call " + std::to_string(k), y_got, y_want, style.tol, origin))
        << "\n  " << when;
    expect_same_layer(got, want, style.tol, origin, when);
    // backward on the reference's layer, so a forward mistake is not counted twice. It may
    // refuse (an empty first call saved nothing): then both must refuse alike.
    Called backward_want{want, Tensor(), {}};
    Called backward_got = backward_want;
    const bnkit::grader::Ends ends = bnkit::grader::run_on_both(
        backward_want, backward_got, [&](Called& side) { side.grads = side.layer.backward(dy, x); });
    EXPECT_TRUE(ends.alike("backward " + when));
    if (ends.both_returned()) {
      expect_same_grads(backward_got.grads, backward_want.grads, style.grad_tol, origin, "of backward " + when);
    }
    expect_same_layer(backward_got.layer, want, bnkit::grader::kUnchanged, origin,
                      "after backward (it changes nothing) " + when);
  }
}

}  // namespace

// Catches, with each of the 8 switch combinations: every wrong axis (per sample, over C,
// over N only, NHWC memory order), statistics mixed up between H and W, batch statistics
// in eval (or running ones in train), buffers or the counter changed in eval, momentum
// applied the Keras way or None mishandled, the biased variance stored, a single image or
// a single eval pixel refused, save_mean / save_rstd not kept as the contract says, and
// backward: gamma missing, the mean or variance path dropped, the wrong statistics read,
// the eval formula in train mode or the reverse, backward changing a field.
BNKIT_HIDDEN_TEST(HiddenBatchNorm2dLayer, RandomSequences, 3) {
  for (int k = 0; k < 8; ++k) {
    const std::uint64_t seed = case_seed(71, k);
    Draw draw(seed);
    const BatchNormOptions options = switches(draw, k);
    const std::string name = "nchw_" + combo_name(options);
    hidden_case(name, seed, [&] {
      replay_sequence(draw, options, {1e-2, 50.0, 1e-3, 1e3, Tolerance::forward(), Tolerance::gradient()}, name,
                      seed);
    });
  }
}

// Catches: a one-pass variance E[x^2] - E[x]^2, in train mode, in the buffers eval uses,
// and in the xhat backward rebuilds.
BNKIT_HIDDEN_TEST(HiddenBatchNorm2dLayer, LargeOffsetsStayStable, 2) {
  for (int k = 0; k < 4; ++k) {
    const std::uint64_t seed = case_seed(72, k);
    Draw draw(seed);
    BatchNormOptions options = switches(draw, static_cast<int>(draw.integer(0, 7)));
    options.track_running_stats = true;
    const std::string name = "offset_" + combo_name(options);
    hidden_case(name, seed, [&] {
      replay_sequence(draw, options, {1e4, 1e5, 0.05, 0.5, bnkit::grader::kLargeOffsetRounding,
                                       bnkit::grader::kLargeOffsetRoundingGradient}, name, seed);
    });
  }
}

// Catches: missing rank, channel or shape checks in forward and backward, the one-value
// check on N instead of M = N*H*W, applied in eval with running statistics or skipped in
// eval without them, wrong messages, the counter moved by a refused wrong-rank call, and
// any other field changed by a refused call.
BNKIT_HIDDEN_TEST(HiddenBatchNorm2dLayer, BadInputThrowsLikeReference, 2) {
  for (int k = 0; k < 14; ++k) {
    const std::uint64_t seed = case_seed(73, k);
    Draw draw(seed);
    BatchNormOptions options = switches(draw, static_cast<int>(draw.integer(0, 7)));
    const Index channels = draw.integer(1, 24), n = draw.integer(2, 6), h = draw.integer(1, 5),
                w = draw.integer(2, 5);
    const Index off_by = draw.integer(1, std::min<Index>(channels, 5));
    const Index wrong = draw.sign() > 0 ? channels + off_by : channels - off_by;
    bool train = draw.chance(0.5);
    bool backward = false;
    std::vector<Index> shape, dy_shape;
    std::string name;
    switch (k) {
      case 0: shape = {n, channels, h * w}; name = "rank_3"; break;
      case 1: shape = {n, channels}; name = "rank_2"; break;
      case 2: shape = {n, channels, h, w, 2}; name = "rank_5"; break;
      case 3: shape = {n, wrong, h, w}; name = "wrong_channels"; break;
      case 4: shape = {1, channels, 1, 1}; train = true; name = "train_single_pixel"; break;
      case 5: shape = {1, channels, 1, 1}; train = false; options.track_running_stats = false;
              name = "eval_single_pixel_untracked"; break;
      case 6: shape = {1, channels, 1, 1}; train = false; options.track_running_stats = true;
              name = "eval_single_pixel_tracked_is_valid"; break;
      case 7: shape = {1, channels, h, w}; train = true; name = "train_single_image_is_valid"; break;
      case 8: shape = {n, channels, h * w}; backward = true; name = "backward_rank_3"; break;
      case 9: shape = {n, channels, h, w}; dy_shape = {n, channels, w, h + 1}; backward = true;
              name = "backward_dy_shape"; break;
      case 10: shape = {n, wrong, h, w}; backward = true; name = "backward_wrong_channels"; break;
      case 11: shape = {n, channels, h, w}; backward = true; train = true; options.track_running_stats = true;
               name = "backward_nothing_saved"; break;
      case 12: shape = {0, channels, h, w}; backward = true; name = "backward_empty_is_valid"; break;
      default: shape = {n, channels, h, w}; backward = true; name = "backward_is_valid"; break;
    }
    name += "_" + combo_name(options) + (train ? "_train" : "_eval");
    hidden_case(name, seed, [&] {
      const bnkit::grader::Origin origin{"the reference solution (hidden case)", name, seed};
      Called want{bnkit::grader::reference_mid_training<BatchNorm2d>(draw, channels, options), Tensor(), {}};
      if (k != 11) {  // statistics saved by an earlier forward
        want.layer.save_mean = draw.beta(channels);
        want.layer.save_rstd = draw.gamma(channels).cwiseAbs();
      }
      want.layer.train(train);
      Tensor x(shape);
      for (Index i = 0; i < x.numel(); ++i) x.values()[i] = draw.uniform(-3.0, 3.0);
      Tensor dy(dy_shape.empty() ? shape : dy_shape);
      for (Index i = 0; i < dy.numel(); ++i) dy.values()[i] = draw.uniform(-1.0, 1.0);
      Called got = want;
      const bnkit::grader::Ends ends = bnkit::grader::run_on_both(want, got, [&](Called& side) {
        if (backward) side.grads = side.layer.backward(dy, x);
        else side.y = side.layer.forward(x);
      });
      const std::string call = std::string(train ? "train" : "eval") + "-mode " + (backward ? "backward" : "forward") +
                               " on x of shape " + bnkit::shape_string(x.shape()) +
                               (backward ? ", dy of shape " + bnkit::shape_string(dy.shape()) : std::string()) +
                               ", layer of " + std::to_string(channels) + " channels, " + bnkit::grader::switches_string(options);
      EXPECT_TRUE(ends.alike(call));
      if (ends.both_returned()) {
        if (backward) expect_same_grads(got.grads, want.grads, Tolerance::gradient(), origin, "");
        else EXPECT_TRUE(bnkit::grader::tensors_match("y", got.y, want.y, Tolerance::forward(), origin));
      }
      expect_same_layer(got.layer, want.layer, Tolerance::forward(), origin,
                        ends.expected.threw ? "after the throw" : "after the call");
    });
  }
}
