// attack: fills every output with NaN (and never throws), hoping NaN slips through comparisons that are written as "not greater than the tolerance"
// lesson: 01_batch_statistics
// expect: 0
// compiles: yes
#include "batch_statistics.hpp"

#include <limits>

namespace bnkit {

void batch_statistics(Eigen::Ref<Eigen::VectorXd> mean, Eigen::Ref<Eigen::VectorXd> var,
                      Eigen::Ref<Eigen::VectorXd> var_unbiased,
                      const Eigen::Ref<const Eigen::MatrixXd>& x) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  mean.setConstant(nan);
  var.setConstant(nan);
  var_unbiased.setConstant(nan);
}

}  // namespace bnkit
