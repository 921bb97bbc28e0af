// attack: correct code that prints 4 MB on every call (printf in a loop), hoping to flood the grader's memory, disk or terminal: it earns the honest 18
// lesson: 01_batch_statistics
// expect: 18
// compiles: yes
#include "batch_statistics.hpp"

#include "bnkit/checks.hpp"

#include <cstdio>

namespace bnkit {

void batch_statistics(Eigen::Ref<Eigen::VectorXd> mean, Eigen::Ref<Eigen::VectorXd> var,
                      Eigen::Ref<Eigen::VectorXd> var_unbiased,
                      const Eigen::Ref<const Eigen::MatrixXd>& x) {
  for (int i = 0; i < 64 * 1024; ++i) std::printf("flood %08d ................................................\n", i);
  const Eigen::Index n = x.rows(), d = x.cols();
  if (n == 0) throw std::invalid_argument("batch_statistics needs at least one row, got input size " + shape_string({n, d}));
  check_length(mean.size(), d, "mean");
  check_length(var.size(), d, "var");
  check_length(var_unbiased.size(), d, "var_unbiased");
  mean = x.colwise().mean().transpose();
  const Eigen::VectorXd ss = (x.rowwise() - mean.transpose()).array().square().colwise().sum().transpose();
  var = ss / static_cast<double>(n);
  var_unbiased = ss / static_cast<double>(n - 1);
}

}  // namespace bnkit
