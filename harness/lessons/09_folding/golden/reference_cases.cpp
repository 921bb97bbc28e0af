#include "folding.hpp"
#include "random.hpp"
#include "reference_cases.hpp"

#include <string>

void bnkit::golden::write_reference_cases(grader::CaseWriter& out) {
  // Wider Linear layers than PyTorch's cases (out up to 64), with and without bias and
  // affine, running variances from 1e-3 to 4: folded weight and bias from the reference.
  struct Layer {
    Index out, in;
    bool bias, affine;
    std::uint64_t seed;
    double eps;
  };
  for (const Layer& l : {Layer{64, 32, true, true, 951, 1e-5}, Layer{16, 48, false, true, 952, 1e-3},
                         Layer{40, 40, true, false, 953, 1e-5}, Layer{7, 1, false, false, 954, 0.1}}) {
    const Eigen::MatrixXd w = grader::random_normal(l.out, l.in, l.seed, 0.0, 0.5);
    TrainedBatchNorm bn;
    bn.running_mean = grader::random_uniform(l.out, l.seed + 1, -3.0, 3.0);
    bn.running_var = grader::random_uniform(l.out, l.seed + 2, 1e-3, 4.0);
    bn.eps = l.eps;
    if (l.affine) {
      bn.gamma = grader::random_uniform(l.out, l.seed + 3, -2.0, 2.0);
      bn.beta = grader::random_uniform(l.out, l.seed + 4, -1.0, 1.0);
    }
    Eigen::VectorXd b;
    if (l.bias) b = grader::random_uniform(l.out, l.seed + 5, -1.0, 1.0);
    const FoldedLinear f = fold_linear_bn(w, b, bn);
    out.begin_case("linear_" + std::to_string(l.out) + "x" + std::to_string(l.in));
    out.text("seed", std::to_string(l.seed));
    out.text("bias", l.bias ? "true" : "false");
    out.text("affine", l.affine ? "true" : "false");
    out.matrix("weight", w);
    if (l.bias) out.vector("b", b);
    if (l.affine) {
      out.vector("gamma", bn.gamma);
      out.vector("beta", bn.beta);
    }
    out.vector("running_mean", bn.running_mean);
    out.vector("running_var", bn.running_var);
    out.scalar("eps", bn.eps);
    out.matrix("folded_weight", f.weight);
    out.vector("folded_bias", f.bias);
    out.end_case();
  }
}
