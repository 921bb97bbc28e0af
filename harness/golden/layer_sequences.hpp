// The reference cases of a BatchNorm layer's call sequences (lessons 04 and 07): each
// sequence's switches, gamma and beta, and per call its mode, x, y and buffers, in the keys
// the tests' replay reads (harness/trusted/grader/layer_replay.hpp).
#pragma once

#include "case_writer.hpp"
#include "random.hpp"

#include "bnkit/tensor.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace bnkit::golden {

/// One call of a sequence: the mode and x's shape.
struct LayerCall {
  bool train;
  std::vector<Index> shape;
};

/// A sequence of calls on one layer. Every value of x is offset + scale * N(0,1). A sequence
/// with `for_test` set belongs to that test alone (ReferenceRandomizedCases leaves it out).
struct LayerSequence {
  const char* name;
  Index c;
  bool affine, track;
  std::uint64_t seed;
  std::vector<LayerCall> calls;
  const char* momentum = "0.1";
  double offset = 1.5, scale = 2.0;
  const char* for_test = nullptr;
};

/// Writes each sequence as a case, replaying it on the reference's Layer. After each call's
/// buffers, `after_call(out, layer, q, k, x)` writes what the lesson records besides (k from 1).
template <typename Layer, typename AfterCall>
void write_layer_sequences(grader::CaseWriter& out, const std::vector<LayerSequence>& sequences,
                           AfterCall&& after_call) {
  for (const LayerSequence& q : sequences) {
    decltype(Layer::options) options;
    options.affine = q.affine;
    options.track_running_stats = q.track;
    const std::string momentum = q.momentum;
    options.momentum = momentum == "none" ? std::nullopt : std::optional<double>(std::stod(momentum));
    Layer layer(q.c, options);
    out.begin_case(q.name);
    out.text("seed", std::to_string(q.seed));
    if (q.for_test) out.text("for_test", q.for_test);
    out.text("affine", q.affine ? "true" : "false");
    out.text("track_running_stats", q.track ? "true" : "false");
    out.text("momentum", momentum);
    out.scalar("eps", options.eps);
    out.scalar("num_features", static_cast<double>(q.c));
    out.scalar("steps", static_cast<double>(q.calls.size()));
    if (q.affine) {
      layer.gamma = grader::random_uniform(q.c, q.seed + 1, 0.5, 2.0);
      layer.beta = grader::random_uniform(q.c, q.seed + 2, -1.0, 1.0);
      out.vector("gamma", layer.gamma);
      out.vector("beta", layer.beta);
    }
    for (std::size_t k = 1; k <= q.calls.size(); ++k) {
      const LayerCall& call = q.calls[k - 1];
      const std::string s = "." + std::to_string(k);
      Tensor x(call.shape);
      x.values() = grader::random_normal(x.numel(), 1, q.seed * 100 + k, q.offset, q.scale);
      layer.train(call.train);
      const Tensor y = layer.forward(x);
      out.text("mode" + s, call.train ? "train" : "eval");
      out.tensor("x" + s, x);
      out.tensor("y" + s, y);
      if (q.track) {
        out.vector("running_mean" + s, layer.running_mean);
        out.vector("running_var" + s, layer.running_var);
        out.scalar("num_batches_tracked" + s, static_cast<double>(layer.num_batches_tracked));
      }
      after_call(out, layer, q, k, x);  // layer: Layer&, for a backward call
    }
    out.end_case();
  }
}

/// The same for a layer whose calls record nothing more.
template <typename Layer>
void write_layer_sequences(grader::CaseWriter& out, const std::vector<LayerSequence>& sequences) {
  write_layer_sequences<Layer>(out, sequences,
                               [](grader::CaseWriter&, Layer&, const LayerSequence&, std::size_t, const Tensor&) {});
}

}  // namespace bnkit::golden
