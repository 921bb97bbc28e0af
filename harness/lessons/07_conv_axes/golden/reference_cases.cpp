#include "conv_axes.hpp"
#include "random.hpp"
#include "reference_cases.hpp"

#include <optional>
#include <string>
#include <vector>

void bnkit::golden::write_reference_cases(grader::CaseWriter& out) {
  struct Call { bool train; std::vector<Index> shape; };
  // Every value is offset + scale * N(0,1). A sequence with `for_test` set belongs to that
  // test alone (BatchNorm2dLayer.ReferenceRandomizedCases leaves it out). Every call with
  // values also gets a random dy and the reference's backward (dx, dgamma, dbeta).
  struct Sequence {
    const char* name;
    Index c;
    bool affine, track;
    std::uint64_t seed;
    std::vector<Call> calls;
    const char* momentum = "0.1";
    double offset = 1.5, scale = 2.0;
    const char* for_test = nullptr;
  };
  const std::vector<Sequence> sequences = {
      {"long_sequence", 5, true, true, 701,
       {{true, {4, 5, 3, 2}}, {true, {1, 5, 2, 1}}, {true, {3, 5, 1, 4}}, {false, {1, 5, 1, 1}}, {false, {2, 5, 3, 3}}}},
      {"many_channels", 32, true, true, 702, {{true, {2, 32, 2, 2}}, {false, {3, 32, 1, 2}}}},
      {"untracked_plain", 2, false, false, 703, {{true, {3, 2, 2, 2}}, {false, {2, 2, 1, 3}}}},
      {"tall_and_wide", 3, true, true, 704, {{true, {2, 3, 7, 1}}, {true, {2, 3, 1, 7}}, {false, {1, 3, 7, 1}}}},
      // Momentum 0 (the buffers never move, the counter does) and 1 (the buffers are the
      // last batch's statistics).
      {"momentum_0", 3, true, true, 705, {{true, {2, 3, 2, 2}}, {true, {1, 3, 3, 1}}, {false, {2, 3, 1, 1}}}, "0",
       1.5, 2.0, "MomentumZeroAndOne"},
      {"momentum_1", 3, true, true, 706, {{true, {3, 3, 1, 2}}, {true, {2, 3, 2, 3}}, {false, {1, 3, 2, 2}}}, "1",
       1.5, 2.0, "MomentumZeroAndOne"},
      // Values near 1e5 and -8e4 with a spread near 1, where E[x^2] - E[x]^2 loses the
      // variance's digits, in train mode and, through the buffers, in eval mode.
      {"offset_momentum_none", 4, true, true, 707,
       {{true, {4, 4, 2, 2}}, {true, {2, 4, 3, 2}}, {true, {1, 4, 4, 3}}, {false, {2, 4, 2, 2}}, {false, {1, 4, 1, 1}}},
       "none", 1e5, 1.0, "StableAtLargeOffset"},
      {"offset_momentum_1", 6, true, true, 708, {{true, {3, 6, 2, 4}}, {true, {2, 6, 2, 2}}, {false, {3, 6, 1, 2}}},
       "1", -8e4, 0.7, "StableAtLargeOffset"},
  };
  for (const Sequence& q : sequences) {
    BatchNormOptions options;
    options.affine = q.affine;
    options.track_running_stats = q.track;
    const std::string momentum = q.momentum;
    options.momentum = momentum == "none" ? std::nullopt : std::optional<double>(std::stod(momentum));
    BatchNorm2d layer(q.c, options);
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
      const Call& call = q.calls[k - 1];
      const std::string s = "." + std::to_string(k);
      Tensor x(call.shape);
      x.values() = grader::random_normal(x.numel(), 1, q.seed * 100 + k, q.offset, q.scale);
      Tensor dy(call.shape);
      dy.values() = grader::random_normal(dy.numel(), 1, q.seed * 100 + 50 + k, 0.0, 1.0);
      layer.train(call.train);
      const Tensor y = layer.forward(x);
      const BatchNorm2dGrads grads = layer.backward(dy, x);
      out.text("mode" + s, call.train ? "train" : "eval");
      out.tensor("x" + s, x);
      out.tensor("y" + s, y);
      if (q.track) {
        out.vector("running_mean" + s, layer.running_mean);
        out.vector("running_var" + s, layer.running_var);
        out.scalar("num_batches_tracked" + s, static_cast<double>(layer.num_batches_tracked));
      }
      if (call.train || !q.track) {
        out.vector("save_mean" + s, layer.save_mean);
        out.vector("save_rstd" + s, layer.save_rstd);
      }
      out.tensor("dy" + s, dy);
      out.tensor("dx" + s, grads.dx);
      if (q.affine) {
        out.vector("dgamma" + s, grads.dgamma);
        out.vector("dbeta" + s, grads.dbeta);
      }
    }
    out.end_case();
  }
}
