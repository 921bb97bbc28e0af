#include "backward.hpp"
#include "random.hpp"
#include "reference_cases.hpp"

#include <string>
#include <vector>

void bnkit::golden::write_reference_cases(grader::CaseWriter& out) {
  // Shapes the PyTorch cases do not have: wide, long, two values per channel, one channel.
  // x = offset + scale * N(0,1), dy = N(0,1), gamma in [-2, 2], beta in [-1, 1].
  struct Shape {
    std::vector<Index> shape;
    bool affine;
    std::uint64_t seed;
    double eps;
  };
  for (const Shape& s : {Shape{{7, 40}, true, 501, 1e-5}, Shape{{3, 5, 16}, true, 502, 1e-5},
                         Shape{{64, 3}, false, 503, 1e-3}, Shape{{2, 1}, true, 504, 1e-5},
                         Shape{{2, 4, 1}, false, 505, 0.1}, Shape{{1, 2, 2}, true, 506, 1e-5}}) {
    Tensor x(s.shape), dy(s.shape);
    x.values() = grader::random_normal(x.numel(), 1, s.seed, 1.5, 2.0);
    dy.values() = grader::random_normal(dy.numel(), 1, s.seed + 3);
    const Index c = s.shape[1];
    const Eigen::VectorXd gamma = s.affine ? grader::random_uniform(c, s.seed + 1, -2.0, 2.0) : Eigen::VectorXd();
    const Eigen::VectorXd beta = s.affine ? grader::random_uniform(c, s.seed + 2, -1.0, 1.0) : Eigen::VectorXd();
    ForwardNodes nodes;
    const Tensor y = batchnorm_forward_nodes(nodes, x, gamma, beta, s.eps);
    NodeGradients grads;
    batchnorm_backward_nodes(grads, dy, nodes, gamma);

    std::string name = "random";
    for (Index d : s.shape) name += (name == "random" ? "_" : "x") + std::to_string(d);
    out.begin_case(name);
    out.text("seed", std::to_string(s.seed));
    out.text("affine", s.affine ? "true" : "false");
    out.tensor("x", x);
    if (s.affine) {
      out.vector("gamma", gamma);
      out.vector("beta", beta);
    }
    out.scalar("eps", s.eps);
    out.tensor("dy", dy);
    out.vector("mean", nodes.mean);
    out.tensor("xc", nodes.xc);
    out.vector("var", nodes.var);
    out.vector("rstd", nodes.rstd);
    out.tensor("xhat", nodes.xhat);
    out.tensor("y", y);
    if (s.affine) {
      out.vector("dbeta", grads.dbeta);
      out.vector("dgamma", grads.dgamma);
    }
    out.tensor("dxhat", grads.dxhat);
    out.vector("drstd", grads.drstd);
    out.tensor("dxc", grads.dxc);
    out.vector("dmean", grads.dmean);
    out.tensor("dx", grads.dx);
    out.end_case();
  }
}
