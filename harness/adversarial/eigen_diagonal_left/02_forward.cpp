// attack: none, an honest mistake: gamma.asDiagonal() on the left of the (N,D) xhat, a (D,D) times (N,D) product that scales rows instead of columns; Eigen's size check stops it at run time (N != D), and the message must name this file's line
// lesson: 02_forward
// expect: 0
// compiles: yes
// message: batchnorm_forward\(\) stopped on an Eigen size check at harness/adversarial/eigen_diagonal_left/02_forward\.cpp:26: a matrix product of a diagonal matrix \(\.asDiagonal\(\)\) and a matrix whose inner sizes differ \(A \* B needs as many columns in A as rows in B. v\.asDiagonal\(\) \* A scales the rows of A, A \* v\.asDiagonal\(\) its columns\). the call's arguments: y .[0-9]+, [0-9]+., cache .*, x .[0-9]+, [0-9]+., gamma .[0-9]+., beta .[0-9]+., eps [0-9e.-]+
#include "forward.hpp"

#include "bnkit/checks.hpp"

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
  const Eigen::MatrixXd centered = x.rowwise() - cache.mean.transpose();
  const Eigen::VectorXd var = centered.array().square().colwise().mean().transpose();
  cache.rstd = (var.array() + eps).rsqrt().matrix();
  cache.xhat = centered * cache.rstd.asDiagonal();
  y = (gamma.asDiagonal() * cache.xhat).rowwise() + beta.transpose();
}

}  // namespace bnkit
