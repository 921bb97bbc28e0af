// Lesson 02: the train-mode forward pass. Complete batchnorm_forward() below.
// The contract (shapes, errors) is in forward.hpp; the lesson in README.md.
// Check your work with `./bnkit grade 02`; stuck? `./bnkit hint 02`.
#include "forward.hpp"

#include "bnkit/checks.hpp"
#include "bnkit/todo.hpp"

namespace bnkit {

void batchnorm_forward(Eigen::Ref<Eigen::MatrixXd> y, ForwardCache& cache,
                       const Eigen::Ref<const Eigen::MatrixXd>& x,
                       const Eigen::Ref<const Eigen::VectorXd>& gamma,
                       const Eigen::Ref<const Eigen::VectorXd>& beta, double eps) {
  // TODO(lesson 02): normalise each column of x with the batch's own statistics.
  //   1. Reject bad input, in this order, before writing anything (helpers in bnkit/checks.hpp):
  //        check_length(gamma.size(), D, "gamma"), the same for "beta",
  //        check_shape(y, N, D, "y"), and check_more_than_one_value_per_channel(N, {N, D}).
  //   2. cache.mean (D): the mean of each column.
  //   3. var (D): the BIASED variance of each column (divide by N).
  //   4. cache.rstd (D): 1 / sqrt(var + eps)   (eps inside the square root).
  //   5. cache.xhat (N,D): (x - mean) * rstd, column by column.
  //   6. y (N,D): gamma * xhat + beta, column by column.
  // cache's members are plain Eigen objects: assigning to them resizes them.
  BNKIT_TODO("lesson 02, batchnorm_forward(): compute y and fill the cache");
}

}  // namespace bnkit
