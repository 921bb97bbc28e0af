// attack: correct, except that an empty batch dereferences a null pointer (SIGSEGV): only the call that crashes fails, so it loses RejectsEmptyBatch (1) alone
// lesson: 01_batch_statistics
// expect: 16
// compiles: yes
#include "batch_statistics.hpp"

#include "bnkit/checks.hpp"

namespace bnkit {

void batch_statistics(Eigen::Ref<Eigen::VectorXd> mean, Eigen::Ref<Eigen::VectorXd> var,
                      Eigen::Ref<Eigen::VectorXd> var_unbiased,
                      const Eigen::Ref<const Eigen::MatrixXd>& x) {
  if (x.rows() == 0) {
    volatile int* nowhere = nullptr;
    *nowhere = 1;  // SIGSEGV
  }
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
