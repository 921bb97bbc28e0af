#include "batch_statistics.hpp"
#include "random.hpp"
#include "reference_cases.hpp"

#include <string>

void bnkit::golden::write_reference_cases(grader::CaseWriter& out) {
  struct Shape { Eigen::Index n, d; std::uint64_t seed; double offset, scale; };
  for (const Shape& s : {Shape{3, 1, 101, 0.0, 1.0}, Shape{17, 9, 102, -5.0, 0.1},
                         Shape{256, 3, 103, 100.0, 10.0}, Shape{2, 2, 104, 0.0, 1e-3}}) {
    const Eigen::MatrixXd x = grader::random_normal(s.n, s.d, s.seed, s.offset, s.scale);
    Eigen::VectorXd mean(s.d), var(s.d), var_unbiased(s.d);
    batch_statistics(mean, var, var_unbiased, x);
    out.begin_case("random_" + std::to_string(s.n) + "x" + std::to_string(s.d));
    out.text("seed", std::to_string(s.seed));
    out.matrix("x", x);
    out.vector("mean", mean);
    out.vector("var", var);
    out.vector("var_unbiased", var_unbiased);
    out.end_case();
  }
}
