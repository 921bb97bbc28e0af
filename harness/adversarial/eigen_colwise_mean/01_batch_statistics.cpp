// attack: none, an honest mistake: .colwise() where .rowwise() is meant, so the (D) mean is subtracted down each column of the (N,D) batch; Eigen's size check stops it at run time (N != D), and the message must name this file's line
// lesson: 01_batch_statistics
// expect: 0
// compiles: yes
// message: batch_statistics\(\) stopped on an Eigen size check at harness/adversarial/eigen_colwise_mean/01_batch_statistics\.cpp:24: a difference \(-\) with \.colwise\(\): the vector goes down every column of the matrix, so it needs one entry per row \(did you mean \.rowwise\(\), one entry per column\?\). the call's arguments: mean .[0-9]+., var .[0-9]+., var_unbiased .[0-9]+., x .[0-9]+, [0-9]+.
#include "batch_statistics.hpp"

#include "bnkit/checks.hpp"

namespace bnkit {

void batch_statistics(Eigen::Ref<Eigen::VectorXd> mean, Eigen::Ref<Eigen::VectorXd> var,
                      Eigen::Ref<Eigen::VectorXd> var_unbiased,
                      const Eigen::Ref<const Eigen::MatrixXd>& x) {
  const Eigen::Index n = x.rows(), d = x.cols();
  if (n == 0) {
    throw std::invalid_argument("batch_statistics needs at least one row, got input size " +
                                shape_string({n, d}));
  }
  check_length(mean.size(), d, "mean");
  check_length(var.size(), d, "var");
  check_length(var_unbiased.size(), d, "var_unbiased");
  mean = x.colwise().mean().transpose();
  const Eigen::VectorXd sum_sq = (x.colwise() - mean).array().square().colwise().sum();
  var = sum_sq / static_cast<double>(n);
  var_unbiased = sum_sq / static_cast<double>(n - 1);
}

}  // namespace bnkit
