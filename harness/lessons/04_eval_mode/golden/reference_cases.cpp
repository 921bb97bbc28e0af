#include "eval_mode.hpp"
#include "random.hpp"
#include "reference_cases.hpp"

#include <optional>
#include <string>
#include <vector>

void bnkit::golden::write_reference_cases(grader::CaseWriter& out) {
  struct Call { bool train; std::vector<Index> shape; };
  // Every value is offset + scale * N(0,1). A sequence with `for_test` set belongs to that
  // test alone (BatchNorm1dLayer.ReferenceRandomizedCases leaves it out).
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
      {"ncl_long_sequence", 5, true, true, 401,
       {{true, {8, 5, 7}}, {true, {2, 5, 1}}, {true, {3, 5, 4}}, {false, {1, 5, 7}}, {false, {6, 5, 2}}}},
      {"nc_wide", 64, true, true, 402, {{true, {16, 64}}, {false, {3, 64}}}},
      {"ncl_untracked_plain", 2, false, false, 403, {{true, {3, 2, 5}}, {false, {2, 2, 3}}}},
      // Momentum 0 (the buffers never move, the counter does) and 1 (the buffers are the
      // last batch's statistics).
      {"momentum_0", 3, true, true, 404, {{true, {6, 3, 2}}, {true, {4, 3}}, {false, {3, 3}}}, "0", 1.5, 2.0,
       "MomentumZeroAndOne"},
      {"momentum_1", 3, true, true, 405, {{true, {5, 3, 2}}, {true, {3, 3, 4}}, {false, {2, 3, 2}}}, "1", 1.5, 2.0,
       "MomentumZeroAndOne"},
      // Values near 1e5 and -8e4 with a spread near 1, where E[x^2] - E[x]^2 loses the
      // variance's digits, in train mode and, through the buffers, in eval mode.
      {"offset_ncl_momentum_none", 4, true, true, 406,
       {{true, {16, 4, 3}}, {true, {8, 4, 5}}, {true, {12, 4, 2}}, {false, {5, 4, 3}}, {false, {1, 4, 4}}},
       "none", 1e5, 1.0, "StableAtLargeOffset"},
      {"offset_nc_momentum_1", 6, true, true, 407, {{true, {24, 6}}, {true, {10, 6}}, {false, {7, 6}}}, "1", -8e4,
       0.7, "StableAtLargeOffset"},
  };
  for (const Sequence& q : sequences) {
    BatchNormOptions options;
    options.affine = q.affine;
    options.track_running_stats = q.track;
    const std::string momentum = q.momentum;
    options.momentum = momentum == "none" ? std::nullopt : std::optional<double>(std::stod(momentum));
    BatchNorm1d layer(q.c, options);
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
    }
    out.end_case();
  }
}
