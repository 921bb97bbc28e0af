// attack: none: an honest, correct lesson 01 (the positive control: full points)
// lesson: 01_batch_statistics
// expect: 18
// compiles: yes
#include "batch_statistics.hpp"

#include "bnkit/checks.hpp"

namespace bnkit {

void batch_statistics(Eigen::Ref<Eigen::VectorXd> mean, Eigen::Ref<Eigen::VectorXd> var,
                      Eigen::Ref<Eigen::VectorXd> var_unbiased,
                      const Eigen::Ref<const Eigen::MatrixXd>& x) {
  const Eigen::Index rows = x.rows(), cols = x.cols();
  if (rows == 0) {
    throw std::invalid_argument("batch_statistics needs at least one row, got input size " +
                                shape_string({rows, cols}));
  }
  check_length(mean.size(), cols, "mean");
  check_length(var.size(), cols, "var");
  check_length(var_unbiased.size(), cols, "var_unbiased");
  // Two passes: the column means, then the squared distances from them (stable at 1e8).
  for (Eigen::Index j = 0; j < cols; ++j) {
    const double mu = x.col(j).mean();
    const double squares = (x.col(j).array() - mu).square().sum();
    mean[j] = mu;
    var[j] = squares / static_cast<double>(rows);
    var_unbiased[j] = squares / static_cast<double>(rows - 1);  // 0/0 = NaN for one row
  }
}

}  // namespace bnkit
