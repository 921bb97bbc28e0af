// Replaying a golden case's calls on a BatchNorm layer (lessons 04, 07 and 11): the layer
// the case's PyTorch module was, its calls one by one, and the checks of what each left.
//
// A golden sequence case holds texts affine, track_running_stats, momentum ("none" or a
// number), scalars eps, num_features, steps, gamma and beta when affine, and per call k
// (suffix ".k"): mode.k ("train" or "eval"), x.k, y.k, dy.k (when backward was recorded),
// and the buffers running_mean.k, running_var.k, num_batches_tracked.k when tracking.
#pragma once

#include "case_file.hpp"
#include "compare.hpp"
#include "compare_scalar.hpp"
#include "proxy.hpp"

#include "bnkit/checks.hpp"
#include "bnkit/tensor.hpp"
#include "bnkit/todo.hpp"

#include <Eigen/Core>
#include <gtest/gtest.h>

#include <cmath>
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace bnkit::grader {

/// Reference cases that a test of their own uses (text "for_test" names it).
inline std::vector<const Case*> reference_cases_for(const std::string& lesson, const std::string& test) {
  std::vector<const Case*> cases;
  for (const Case& c : reference_cases(lesson).cases()) {
    if (c.has_text("for_test") && c.text("for_test") == test) cases.push_back(&c);
  }
  return cases;
}

/// A layer configured as the case's PyTorch module was (BatchNormOptions' switches), with
/// the case's gamma and beta.
template <typename Layer>
Layer layer_from_case(const Case& c) {
  std::decay_t<decltype(Layer::options)> options;
  options.eps = c.scalar("eps");
  options.affine = c.text("affine") == "true";
  options.track_running_stats = c.text("track_running_stats") == "true";
  const std::string& m = c.text("momentum");
  options.momentum = m == "none" ? std::nullopt : std::optional<double>(std::stod(m));
  Layer layer(static_cast<Index>(c.scalar("num_features")), options);
  if (options.affine) {
    layer.gamma = c.vector("gamma");
    layer.beta = c.vector("beta");
  }
  return layer;
}

/// Runs `calls(call)`, the valid calls of one step of a test; `calls` sets `call` to the
/// name of the call it is about to make ("forward()", "backward()"). False, with a failure,
/// when the worker failed (crash, hang) or a call threw: the step's input was valid, so
/// the test cannot go on with this case. A stub's NotImplemented propagates ("not started").
template <typename Calls>
bool ran_valid_calls(const Tensor& x, const std::string& context, Calls&& calls) {
  const char* call = "forward()";
  try {
    calls(call);
  } catch (const NotImplemented&) {
    throw;  // an unfinished stub: reported as "not started"
  } catch (const boundary::CallFailed& e) {
    ADD_FAILURE_AT("", 0) << e.what();  // crashed or hung: this case stops, the others go on
    return false;
  } catch (const std::exception& e) {
    ADD_FAILURE() << call << " threw on a valid input of shape " << shape_string(x.shape()) << context << ": "
                  << e.what();
    return false;
  }
  return true;
}

/// The gradients of a layer replayed forward only.
struct NoGrads {};

/// One call of a replayed case, as the check sees it after the call.
template <typename Grads = NoGrads>
struct LayerStep {
  int k;               ///< the call's number, from 1
  bool train;          ///< train mode
  bool batch_stats;    ///< this call normalised with the batch's statistics
  std::string suffix;  ///< ".k": the case's keys of this call
  Tensor y;
  Grads grads;  ///< filled when the replay asked for backward at this step
};

/// Replays the case's calls on `layer`; after each forward, when `backward_at(step)` says so
/// (and the case recorded dy.k), calls backward(dy.k, x.k) too. `check` sees every step after
/// it ran. A call that throws ends this case: later calls depend on its buffers.
template <typename Layer, typename Grads = NoGrads>
void replay_layer(const Case& c, Layer layer,
                  const std::function<void(const LayerStep<Grads>&, const Layer&)>& check,
                  const std::function<bool(const LayerStep<Grads>&)>& backward_at = nullptr) {
  const auto steps = static_cast<int>(c.scalar("steps"));
  for (int k = 1; k <= steps; ++k) {
    const std::string s = "." + std::to_string(k);
    const bool train = c.text("mode" + s) == "train";
    SCOPED_TRACE("case " + c.name() + ", call " + std::to_string(k) + " (" + (train ? "train" : "eval") +
                 " mode)");
    layer.train(train);
    LayerStep<Grads> step{k, train, train || !layer.options.track_running_stats, s, Tensor(), {}};
    const Tensor& x = c.tensor("x" + s);
    const bool ran = ran_valid_calls(x, "", [&](const char*& call) {
      step.y = layer.forward(x);
      if constexpr (!std::is_same_v<Grads, NoGrads>) {
        if (backward_at && c.has("dy" + s) && backward_at(step)) {
          call = "backward()";
          step.grads = layer.backward(c.tensor("dy" + s), x);
        }
      }
    });
    if (!ran) return;
    check(step, layer);
  }
}

/// The layer's running_mean, running_var and num_batches_tracked against the case's after
/// this step's call.
template <typename Grads, typename Layer>
void expect_buffers_match(const Case& c, const LayerStep<Grads>& step, const Layer& layer,
                          Tolerance tol = Tolerance::forward()) {
  EXPECT_TRUE(matches_case("running_mean", layer.running_mean, c, "running_mean" + step.suffix, tol));
  EXPECT_TRUE(matches_case("running_var", layer.running_var, c, "running_var" + step.suffix, tol));
  EXPECT_TRUE(counts_match("num_batches_tracked", layer.num_batches_tracked,
                           static_cast<long>(c.scalar("num_batches_tracked" + step.suffix)),
                           {c.source(), c.name(), std::nullopt}));
}

/// Replays the case on a fresh layer configured as its PyTorch module was (layer_from_case)
/// and checks y and the buffers after every call.
template <typename Layer>
void expect_every_call_matches(const Case& c, Tolerance tol = Tolerance::forward()) {
  replay_layer<Layer, NoGrads>(c, layer_from_case<Layer>(c), [&](const LayerStep<>& step, const Layer& layer) {
    EXPECT_TRUE(matches_case("y", step.y, c, "y" + step.suffix, tol));
    expect_buffers_match(c, step, layer, tol);
  });
}

/// y of the case's first call (train mode, fresh buffers) with the one-pass variance
/// E[x^2] - E[x]^2: the premise of a large-offset test (it must fail there).
inline Tensor one_pass_first_y(const Case& c) {
  const Tensor& x = c.tensor("x.1");
  Tensor y(x.shape());
  const Eigen::VectorXd gamma = c.vector("gamma"), beta = c.vector("beta");
  for (Index ch = 0; ch < x.dim(1); ++ch) {
    const ConstChannelView v = x.channel(ch);
    const double mean = v.mean();
    const double var = v.array().square().mean() - mean * mean;
    y.channel(ch) = ((v.array() - mean) / std::sqrt(var + c.scalar("eps")) * gamma[ch] + beta[ch]).matrix();
  }
  return y;
}

}  // namespace bnkit::grader
