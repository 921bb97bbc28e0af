// What the hidden tests of lessons 04 (BatchNorm1d) and 07 (BatchNorm2d) share: the switch
// combinations and their names, momenta people use, a layer built by both sides and
// compared, a reference layer mid-training, and every shared field compared with the
// reference's. Templates over the lesson's layer (fields with PyTorch's names) and its
// BatchNormOptions (eps, momentum, affine, track_running_stats).
#pragma once

#include "compare.hpp"
#include "hidden.hpp"
#include "hidden_cases.hpp"

#include "bnkit/tensor.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <sstream>
#include <string>

namespace bnkit::grader {

/// A hidden case's draws, with the momenta of a BatchNorm layer.
struct LayerDraw : Draw {
  using Draw::Draw;
  /// The momenta people use (0.01 .. 1), or any in [0, 1).
  double momentum() {
    const double choices[] = {0.1, 0.01, 0.3, 0.5, 0.9, 1.0};
    return chance(0.3) ? uniform(0.0, 1.0) : choices[integer(0, 5)];
  }
};

inline std::string momentum_string(std::optional<double> m) {
  if (!m) return "none";
  std::ostringstream os;
  os.precision(6);
  os << *m;
  return os.str();
}

template <typename Options>
std::string switches_string(const Options& o) {
  std::ostringstream os;
  os << "affine=" << (o.affine ? "true" : "false") << " track_running_stats="
     << (o.track_running_stats ? "true" : "false") << " momentum=" << momentum_string(o.momentum)
     << " eps=" << o.eps;
  return os.str();
}

/// Switch combination k of 8: affine x track_running_stats x (momentum none or a value).
template <typename Options>
Options switches(LayerDraw& draw, int k) {
  Options o;
  o.affine = (k & 1) != 0;
  o.track_running_stats = (k & 2) != 0;
  o.momentum = (k & 4) != 0 ? std::nullopt : std::optional<double>(draw.momentum());
  o.eps = draw.eps();
  return o;
}

template <typename Options>
std::string combo_name(const Options& o) {
  return std::string(o.affine ? "affine" : "no_affine") + (o.track_running_stats ? "_tracked" : "_untracked") +
         "_momentum_" + momentum_string(o.momentum);
}

/// Compares every shared field of the layer with the reference's (settings, mode,
/// parameters, buffers, counter); `when` says after which call.
template <typename Layer>
void expect_same_fields_as_reference(const Layer& got, const Layer& want, Tolerance tol, const Origin& origin,
                                     const std::string& when) {
  EXPECT_EQ(got.num_features, want.num_features) << "num_features " << when;
  EXPECT_TRUE(got.options.eps == want.options.eps && got.options.momentum == want.options.momentum &&
              got.options.affine == want.options.affine &&
              got.options.track_running_stats == want.options.track_running_stats)
      << "options " << when << ": expected " << switches_string(want.options) << ", got "
      << switches_string(got.options);
  EXPECT_EQ(got.training, want.training) << "training " << when;
  EXPECT_TRUE(tensors_match("gamma " + when, to_tensor(got.gamma), to_tensor(want.gamma), tol, origin));
  EXPECT_TRUE(tensors_match("beta " + when, to_tensor(got.beta), to_tensor(want.beta), tol, origin));
  EXPECT_TRUE(tensors_match("running_mean " + when, to_tensor(got.running_mean), to_tensor(want.running_mean),
                            tol, origin));
  EXPECT_TRUE(tensors_match("running_var " + when, to_tensor(got.running_var), to_tensor(want.running_var),
                            tol, origin));
  EXPECT_EQ(got.num_batches_tracked, want.num_batches_tracked) << "num_batches_tracked " << when;
}

/// The layer both the code under test and the reference build from these switches, compared
/// by `expect_same(got, want, tol, origin, when)`; then gamma and beta get random values
/// (when affine) so the affine step shows. Returns the reference's layer.
template <typename Layer, typename Options, typename ExpectSame>
Layer built_by_both(LayerDraw& draw, Index channels, const Options& options, const Origin& origin,
                    const std::string& class_name, ExpectSame&& expect_same) {
  Layer want = with_oracle([&] { return Layer(channels, options); });
  {
    const Layer got(channels, options);
    expect_same(got, want, Tolerance::forward(), origin,
                "after " + class_name + "(" + std::to_string(channels) + ", {" + switches_string(options) + "})");
  }
  if (options.affine) {
    want.gamma = draw.gamma(channels);
    want.beta = draw.beta(channels);
  }
  return want;
}

/// The reference's layer of these switches mid-training: random parameters and buffers and
/// a counter of earlier batches.
template <typename Layer, typename Options>
Layer reference_mid_training(LayerDraw& draw, Index channels, const Options& options) {
  Layer want = with_oracle([&] { return Layer(channels, options); });
  if (options.affine) {
    want.gamma = draw.gamma(channels);
    want.beta = draw.beta(channels);
  }
  if (options.track_running_stats) {
    want.running_mean = draw.beta(channels);
    want.running_var = draw.gamma(channels).cwiseAbs();
    want.num_batches_tracked = static_cast<long>(draw.integer(1, 300));
  }
  return want;
}

}  // namespace bnkit::grader
