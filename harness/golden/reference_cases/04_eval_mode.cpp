#include "eval_mode.hpp"
#include "random.hpp"
#include "reference_cases.hpp"

#include <string>
#include <vector>

void bnkit::golden::write_reference_cases(grader::CaseWriter& out) {
  struct Call { bool train; std::vector<Index> shape; };
  struct Sequence { const char* name; Index c; bool affine, track; std::uint64_t seed; std::vector<Call> calls; };
  const std::vector<Sequence> sequences = {
      {"ncl_long_sequence", 5, true, true, 401,
       {{true, {8, 5, 7}}, {true, {2, 5, 1}}, {true, {3, 5, 4}}, {false, {1, 5, 7}}, {false, {6, 5, 2}}}},
      {"nc_wide", 64, true, true, 402, {{true, {16, 64}}, {false, {3, 64}}}},
      {"ncl_untracked_plain", 2, false, false, 403, {{true, {3, 2, 5}}, {false, {2, 2, 3}}}},
  };
  for (const Sequence& q : sequences) {
    BatchNormOptions options;
    options.affine = q.affine;
    options.track_running_stats = q.track;
    BatchNorm1d layer(q.c, options);
    out.begin_case(q.name);
    out.text("seed", std::to_string(q.seed));
    out.text("affine", q.affine ? "true" : "false");
    out.text("track_running_stats", q.track ? "true" : "false");
    out.text("momentum", "0.1");
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
      x.values() = grader::random_normal(x.numel(), 1, q.seed * 100 + k, 1.5, 2.0);
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
