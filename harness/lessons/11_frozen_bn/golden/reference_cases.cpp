#include "frozen_bn.hpp"
#include "random.hpp"
#include "reference_cases.hpp"

#include <string>
#include <vector>

void bnkit::golden::write_reference_cases(grader::CaseWriter& out) {
  // One forward and one backward per case, on a layer with loaded ("pre-trained") running
  // statistics and parameters; x is offset + scale * N(0,1) around the running means.
  struct Sequence {
    const char* name;
    std::vector<Index> shape;
    bool freeze_affine;
    std::uint64_t seed;
    double eps = 1e-5;
    double offset = 0.0;
  };
  const std::vector<Sequence> sequences = {
      {"wide_nc", {6, 9}, false, 1111},
      {"long_ncl", {2, 4, 11}, false, 1112},
      {"frozen_affine_ncl", {3, 5, 3}, true, 1113, 1e-3},
      {"single_sample_ncl", {1, 6, 7}, false, 1114},
      {"offset_nc", {5, 3}, false, 1115, 1e-5, 3e4},
  };
  for (const Sequence& q : sequences) {
    const Index c = q.shape[1];
    FrozenOptions options;
    options.eps = q.eps;
    options.freeze_affine = q.freeze_affine;
    FrozenBatchNorm1d layer(c, options);
    layer.gamma = grader::random_uniform(c, q.seed + 1, 0.5, 2.0);
    layer.beta = grader::random_uniform(c, q.seed + 2, -1.0, 1.0);
    layer.running_mean = grader::random_uniform(c, q.seed + 3, q.offset - 2.0, q.offset + 2.0);
    layer.running_var = grader::random_uniform(c, q.seed + 4, 0.1, 3.0);
    layer.num_batches_tracked = 250;
    Tensor x(q.shape);
    x.values() = grader::random_normal(x.numel(), 1, q.seed * 100, q.offset, 1.5);
    Tensor dy(q.shape);
    dy.values() = grader::random_normal(dy.numel(), 1, q.seed * 100 + 50, 0.0, 1.0);
    const Tensor y = layer.forward(x);
    const FrozenGrads grads = layer.backward(dy, x);
    out.begin_case(q.name);
    out.text("seed", std::to_string(q.seed));
    out.text("freeze_affine", q.freeze_affine ? "true" : "false");
    out.scalar("eps", options.eps);
    out.scalar("num_features", static_cast<double>(c));
    out.vector("gamma", layer.gamma);
    out.vector("beta", layer.beta);
    out.vector("running_mean", layer.running_mean);
    out.vector("running_var", layer.running_var);
    out.scalar("num_batches_tracked", static_cast<double>(layer.num_batches_tracked));
    out.tensor("x", x);
    out.tensor("y", y);
    out.tensor("dy", dy);
    out.tensor("dx", grads.dx);
    out.vector("dgamma", grads.dgamma);
    out.vector("dbeta", grads.dbeta);
    out.end_case();
  }
}
