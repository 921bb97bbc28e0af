#include "backward_fast.hpp"
#include "random.hpp"
#include "reference_cases.hpp"

#include <cmath>
#include <string>
#include <vector>

void bnkit::golden::write_reference_cases(grader::CaseWriter& out) {
  // Random problems of both ranks, affine and not, with the cache the forward pass would have
  // saved (two-pass mean and biased variance); expected dx, dgamma, dbeta from the reference.
  struct Shape {
    std::vector<Index> shape;
    bool affine;
    std::uint64_t seed;
    double eps;
  };
  for (const Shape& s : {Shape{{5, 3}, true, 631, 1e-5}, Shape{{2, 4}, false, 632, 1e-3},
                         Shape{{3, 2, 7}, false, 633, 1e-5}, Shape{{9, 3, 4}, true, 634, 0.1},
                         Shape{{40, 2}, true, 635, 1e-5}}) {
    Tensor x(s.shape), dy(s.shape);
    x.values() = grader::random_normal(x.numel(), 1, s.seed, 1.5, 2.0);
    dy.values() = grader::random_normal(dy.numel(), 1, s.seed + 1);
    const Index channels = s.shape[1];
    Eigen::VectorXd mean(channels), rstd(channels), gamma;
    for (Index c = 0; c < channels; ++c) {
      mean[c] = x.channel(c).mean();
      rstd[c] = 1.0 / std::sqrt((x.channel(c).array() - mean[c]).square().mean() + s.eps);
    }
    if (s.affine) gamma = grader::random_uniform(channels, s.seed + 2, -2.0, 2.0);
    Tensor dx;
    Eigen::VectorXd dgamma, dbeta;
    batchnorm_backward_fast(dx, dgamma, dbeta, mean, rstd, dy, x, gamma);
    std::string name = "random";
    for (const Index d : s.shape) name += "_" + std::to_string(d);
    out.begin_case(name);
    out.text("seed", std::to_string(s.seed));
    out.text("affine", s.affine ? "true" : "false");
    out.tensor("x", x);
    out.tensor("dy", dy);
    if (s.affine) out.vector("gamma", gamma);
    out.vector("mean", mean);
    out.vector("rstd", rstd);
    out.tensor("dx", dx);
    if (s.affine) {
      out.vector("dgamma", dgamma);
      out.vector("dbeta", dbeta);
    }
    out.end_case();
  }
}
