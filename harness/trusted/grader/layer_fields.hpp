// The fields lessons 04 (BatchNorm1d) and 07 (BatchNorm2d) share, checked alike: a new
// layer's, a layer mid-training, what an eval call and a refused call must leave alone.
// Each template takes the lesson's layer class, whose fields carry PyTorch's names.
#pragma once

#include "compare.hpp"
#include "compare_scalar.hpp"
#include "expect_error.hpp"
#include "mistakes.hpp"
#include "random.hpp"
#include "tolerances.hpp"

#include "bnkit/tensor.hpp"

#include <Eigen/Core>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace bnkit::grader {

namespace layer_detail {
/// A (C) vector, or an expression that makes one, as a tensor for tensors_match.
inline Tensor vec(const Eigen::VectorXd& v) { return to_tensor(v); }
}  // namespace layer_detail

/// Every shared field of `got` exactly as in `want`: the switches, the mode, the parameters,
/// the buffers and the counter.
template <typename Layer>
void expect_same_batchnorm_fields(const Layer& got, const Layer& want, const Origin& origin) {
  EXPECT_TRUE(counts_match("num_features", got.num_features, want.num_features, origin));
  EXPECT_TRUE(counts_match("training", got.training, want.training, origin));
  EXPECT_TRUE(scalars_match("options.eps", got.options.eps, want.options.eps, kUnchanged, origin));
  EXPECT_TRUE(scalars_match("options.momentum (-1 for None)", got.options.momentum.value_or(-1.0),
                            want.options.momentum.value_or(-1.0), kUnchanged, origin));
  EXPECT_TRUE(counts_match("options.affine", got.options.affine, want.options.affine, origin));
  EXPECT_TRUE(counts_match("options.track_running_stats", got.options.track_running_stats,
                           want.options.track_running_stats, origin));
  EXPECT_TRUE(tensors_match("gamma", layer_detail::vec(got.gamma), layer_detail::vec(want.gamma), kUnchanged, origin));
  EXPECT_TRUE(tensors_match("beta", layer_detail::vec(got.beta), layer_detail::vec(want.beta), kUnchanged, origin));
  EXPECT_TRUE(tensors_match("running_mean", layer_detail::vec(got.running_mean), layer_detail::vec(want.running_mean), kUnchanged,
                            origin));
  EXPECT_TRUE(tensors_match("running_var", layer_detail::vec(got.running_var), layer_detail::vec(want.running_var), kUnchanged,
                            origin));
  EXPECT_TRUE(counts_match("num_batches_tracked", got.num_batches_tracked, want.num_batches_tracked, origin));
}

/// A 3-channel layer mid-training, every shared field set by the test (not by a
/// constructor): gamma, beta and buffers of its own, 5 batches counted.
template <typename Layer>
Layer mid_training_layer(bool train, bool track, bool affine) {
  Layer layer;
  layer.num_features = 3;
  layer.options.eps = 1e-3;
  layer.options.momentum = 0.3;
  layer.options.affine = affine;
  layer.options.track_running_stats = track;
  layer.training = train;
  if (affine) {
    layer.gamma = Eigen::Vector3d(1.5, -0.5, 2.0);
    layer.beta = Eigen::Vector3d(0.25, -1.0, 0.5);
  }
  if (track) {
    layer.running_mean = Eigen::Vector3d(0.5, -2.0, 1.0);
    layer.running_var = Eigen::Vector3d(2.0, 0.5, 1.5);
    layer.num_batches_tracked = 5;
  }
  return layer;
}

/// A new 3-channel layer as PyTorch makes one: train mode, gamma 1, beta 0, running_mean 0,
/// running_var 1 (a running_var of zeros is a known mistake), nothing counted yet.
template <typename Layer>
void expect_new_layer_like_pytorch(const Layer& layer, const Origin& pytorch) {
  EXPECT_TRUE(counts_match("training (a new layer is in train mode)", layer.training, true, pytorch));
  EXPECT_TRUE(tensors_match("gamma", layer_detail::vec(layer.gamma), layer_detail::vec(Eigen::VectorXd::Ones(3)), kHandChecked,
                            pytorch));
  EXPECT_TRUE(tensors_match("beta", layer_detail::vec(layer.beta), layer_detail::vec(Eigen::VectorXd::Zero(3)), kHandChecked,
                            pytorch));
  EXPECT_TRUE(tensors_match("running_mean", layer_detail::vec(layer.running_mean), layer_detail::vec(Eigen::VectorXd::Zero(3)),
                            kHandChecked, pytorch));
  EXPECT_TRUE(tensors_match("running_var", layer_detail::vec(layer.running_var), layer_detail::vec(Eigen::VectorXd::Ones(3)),
                            kHandChecked, pytorch,
                            {{"running_var_init_zero", layer_detail::vec(Eigen::VectorXd::Zero(3))}}));
  EXPECT_TRUE(counts_match("num_batches_tracked", layer.num_batches_tracked, 0, pytorch));
}

/// A layer built with affine = false and track_running_stats = false: no parameters, no buffers.
template <typename Layer>
void expect_no_parameters_or_buffers(const Layer& plain, const Origin& origin) {
  const Tensor none = layer_detail::vec(Eigen::VectorXd(0));
  EXPECT_TRUE(tensors_match("gamma", layer_detail::vec(plain.gamma), none, kHandChecked, origin));
  EXPECT_TRUE(tensors_match("beta", layer_detail::vec(plain.beta), none, kHandChecked, origin));
  EXPECT_TRUE(tensors_match("running_mean", layer_detail::vec(plain.running_mean), none, kHandChecked, origin));
  EXPECT_TRUE(tensors_match("running_var", layer_detail::vec(plain.running_var), none, kHandChecked, origin));
}

/// What an eval-mode forward must leave as it was: the buffers and the counter.
struct BufferSnapshot {
  Eigen::VectorXd mean, var;
  long count;
};

template <typename Layer>
BufferSnapshot buffers_of(const Layer& layer) {
  return {layer.running_mean, layer.running_var, layer.num_batches_tracked};
}

/// The buffers and the counter exactly as in `before`, after eval-mode forwards.
template <typename Layer>
void expect_eval_left_buffers(const BufferSnapshot& before, const Layer& layer) {
  const bool unchanged = layer.running_mean == before.mean && layer.running_var == before.var &&
                         layer.num_batches_tracked == before.count;
  EXPECT_TRUE(unchanged) << "an eval-mode forward changed the buffers:\n  running_mean " << before.mean.transpose()
                         << " -> " << layer.running_mean.transpose() << "\n  running_var "
                         << before.var.transpose() << " -> " << layer.running_var.transpose()
                         << "\n  num_batches_tracked " << before.count << " -> " << layer.num_batches_tracked
                         << "\n  " << looks_like("eval_updates_buffers");
}

/// Calls `check(train, track, affine)` for each of the 8 combinations of mode and switches,
/// under a SCOPED_TRACE that names it.
template <typename Check>
void for_each_mode_and_switches(Check&& check) {
  for (const bool train : {true, false}) {
    for (const bool track : {true, false}) {
      for (const bool affine : {true, false}) {
        SCOPED_TRACE(std::string(train ? "train" : "eval") + " mode, track_running_stats " +
                     (track ? "true" : "false") + ", affine " + (affine ? "true" : "false"));
        check(train, track, affine);
      }
    }
  }
}

/// A call the contract refuses, on a mid-training layer of these switches.
struct RefusedCall {
  const char* call;
  bool train, track, affine;
  std::vector<Index> shape;
  bool counted;  ///< PyTorch counts it: train mode, tracking, a rank the layer takes
};

/// Each refused call (on random input, seed 82) throws std::invalid_argument and changes no
/// field, but for PyTorch's one exception: a counted call adds 1 to num_batches_tracked.
/// `make(train, track, affine)` builds the layer; `expect_same(got, want, origin)` compares
/// every field.
template <typename Layer, typename Make, typename ExpectSame>
void expect_refused_calls_change_no_field(const std::vector<RefusedCall>& refused, Make&& make,
                                          ExpectSame&& expect_same) {
  for (const RefusedCall& r : refused) {
    SCOPED_TRACE(r.call);
    const Layer given = make(r.train, r.track, r.affine);
    Layer got = given;
    EXPECT_TRUE(throws_invalid_argument([&] { got.forward(random_tensor(r.shape, 82)); },
                                        std::vector<std::string>{}));
    Layer want = given;
    if (r.counted) want.num_batches_tracked += 1;
    expect_same(got, want,
                Origin{r.counted ? "the layer before the call, num_batches_tracked + 1 (PyTorch counts the call "
                                   "before it looks at the batch)"
                                 : "the layer before the call: a refused call changes nothing",
                       r.call, std::nullopt});
  }
}

}  // namespace bnkit::grader
