#include "forward.hpp"
#include "random.hpp"
#include "reference_cases.hpp"

#include <string>

void bnkit::golden::write_reference_cases(grader::CaseWriter& out) {
  struct Shape { Eigen::Index n, d; std::uint64_t seed; double eps; };
  for (const Shape& s : {Shape{2, 1, 201, 1e-5}, Shape{33, 8, 202, 1e-5}, Shape{9, 300, 203, 1e-3},
                         Shape{512, 4, 204, 1e-5}}) {
    const Eigen::MatrixXd x = grader::random_normal(s.n, s.d, s.seed, 1.0, 2.0);
    const Eigen::VectorXd gamma = grader::random_uniform(s.d, s.seed + 1, -2.0, 2.0);
    const Eigen::VectorXd beta = grader::random_uniform(s.d, s.seed + 2, -1.0, 1.0);
    Eigen::MatrixXd y(s.n, s.d);
    ForwardCache cache;
    batchnorm_forward(y, cache, x, gamma, beta, s.eps);
    out.begin_case("random_" + std::to_string(s.n) + "x" + std::to_string(s.d));
    out.text("seed", std::to_string(s.seed));
    out.matrix("x", x);
    out.vector("gamma", gamma);
    out.vector("beta", beta);
    out.scalar("eps", s.eps);
    out.matrix("y", y);
    out.vector("rstd", cache.rstd);
    out.end_case();
  }
}
