// Lesson 06: the train-mode backward pass in closed form. Complete batchnorm_backward_fast()
// below. The contract (shapes, errors) is in backward_fast.hpp; the lesson in README.md.
// Check your work with `./bnkit grade 06`, time it with `./bnkit bench 06`; stuck?
// `./bnkit hint 06`.
#include "backward_fast.hpp"

#include "bnkit/checks.hpp"
#include "bnkit/todo.hpp"

#include <stdexcept>

namespace bnkit {

void batchnorm_backward_fast(Tensor& dx, Eigen::VectorXd& dgamma, Eigen::VectorXd& dbeta,
                             const Eigen::Ref<const Eigen::VectorXd>& mean,
                             const Eigen::Ref<const Eigen::VectorXd>& rstd, const Tensor& dy,
                             const Tensor& x, const Eigen::Ref<const Eigen::VectorXd>& gamma) {
  // TODO(lesson 06): dx, dgamma and dbeta of y = gamma * (x - mean) * rstd + beta.
  //   1. Reject bad input, in this order, before writing anything (helpers in bnkit/checks.hpp):
  //        check_rank_2_or_3(x.shape());
  //        dy.shape() != x.shape(): throw std::invalid_argument("dy should have shape " +
  //            shape_string(x.shape()) + " not " + shape_string(dy.shape()));
  //        check_length(mean.size(), C, "mean"), the same for "rstd";
  //        gamma: empty is fine (no affine, gamma = 1), otherwise check_length(..., "gamma");
  //        check_more_than_one_value_per_channel(M, x.shape()), with M = N * L.
  //   2. For each channel c, with x.channel(c) and dy.channel(c) (its M values as a matrix):
  //        xhat       = (x - mean[c]) * rstd[c]
  //        sum_dy     = sum(dy),  sum_dy_xhat = sum(dy * xhat)
  //        dx channel = gamma[c] * rstd[c] / M * (M * dy - sum_dy - xhat * sum_dy_xhat)
  //   3. dx: a Tensor of x's shape. dgamma = the sum_dy_xhat of every channel, dbeta = the
  //      sum_dy of every channel, both (C); both empty when gamma is empty.
  // Expect, for x = [[1],[3],[5]], rstd = sqrt(3/8), gamma = 2, dy = [[1],[2],[6]]:
  //   dx = [[0.6123724], [-1.2247449], [0.6123724]], dgamma = 6.1237244, dbeta = 9.
  BNKIT_TODO("lesson 06, batchnorm_backward_fast(): compute dx, dgamma and dbeta");
}

}  // namespace bnkit
