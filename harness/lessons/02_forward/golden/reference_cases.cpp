#include "forward.hpp"
#include "random.hpp"
#include "reference_cases.hpp"

#include <cmath>
#include <string>

void bnkit::golden::write_reference_cases(grader::CaseWriter& out) {
  // offset: every feature near this value with a spread of `scale`. The last two sit near
  // -5e4 and 1e5 with a spread near 1, where E[x^2] - E[x]^2 loses the variance's digits:
  // only BatchNormForward.StableAtLargeOffset uses them.
  struct Shape { Eigen::Index n, d; std::uint64_t seed; double eps, offset = 1.0, scale = 2.0; };
  for (const Shape& s : {Shape{2, 1, 201, 1e-5}, Shape{33, 8, 202, 1e-5}, Shape{9, 300, 203, 1e-3},
                         Shape{512, 4, 204, 1e-5}, Shape{16, 3, 205, 1e-5, 1e5, 1.0},
                         Shape{40, 6, 206, 1e-5, -5e4, 0.8}}) {
    const Eigen::MatrixXd x = grader::random_normal(s.n, s.d, s.seed, s.offset, s.scale);
    const Eigen::VectorXd gamma = grader::random_uniform(s.d, s.seed + 1, -2.0, 2.0);
    const Eigen::VectorXd beta = grader::random_uniform(s.d, s.seed + 2, -1.0, 1.0);
    Eigen::MatrixXd y(s.n, s.d);
    ForwardCache cache;
    batchnorm_forward(y, cache, x, gamma, beta, s.eps);
    const bool large_offset = std::abs(s.offset) >= 1e4;
    out.begin_case((large_offset ? "offset_" : "random_") + std::to_string(s.n) + "x" + std::to_string(s.d));
    out.text("seed", std::to_string(s.seed));
    if (large_offset) out.text("for_test", "StableAtLargeOffset");
    out.matrix("x", x);
    out.vector("gamma", gamma);
    out.vector("beta", beta);
    out.scalar("eps", s.eps);
    out.matrix("y", y);
    out.vector("rstd", cache.rstd);
    if (large_offset) {
      out.vector("mean", cache.mean);
      out.matrix("xhat", cache.xhat);
    }
    out.end_case();
  }
}
