// attack: a correct lesson 02 that then const_casts and overwrites its const inputs (x, gamma, beta) with NaN, hoping to corrupt the golden data or what the test checks against; the trusted side never sees the write, and the worker reports it: a call that writes a read-only input fails, so 0
// lesson: 02_forward
// expect: 0
// message: x is a read-only input, but the code wrote into it
// compiles: yes
#include "forward.hpp"

#include "bnkit/checks.hpp"

#include <limits>

namespace bnkit {

void batchnorm_forward(Eigen::Ref<Eigen::MatrixXd> y, ForwardCache& cache,
                       const Eigen::Ref<const Eigen::MatrixXd>& x,
                       const Eigen::Ref<const Eigen::VectorXd>& gamma,
                       const Eigen::Ref<const Eigen::VectorXd>& beta, double eps) {
  const Eigen::Index n = x.rows(), d = x.cols();
  check_length(gamma.size(), d, "gamma");
  check_length(beta.size(), d, "beta");
  check_shape(y, n, d, "y");
  check_more_than_one_value_per_channel(n, {n, d});
  cache.mean = x.colwise().mean().transpose();
  const Eigen::MatrixXd centred = x.rowwise() - cache.mean.transpose();
  cache.rstd = (centred.array().square().colwise().mean().transpose() + eps).rsqrt().matrix();
  cache.xhat = centred * cache.rstd.asDiagonal();
  y = (cache.xhat * gamma.asDiagonal()).rowwise() + beta.transpose();

  // The attack: write through the const inputs.
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::fill_n(const_cast<double*>(x.data()), x.size(), nan);
  std::fill_n(const_cast<double*>(gamma.data()), gamma.size(), nan);
  std::fill_n(const_cast<double*>(beta.data()), beta.size(), nan);
}

}  // namespace bnkit
