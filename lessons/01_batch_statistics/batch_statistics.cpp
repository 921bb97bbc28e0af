// Lesson 01: per-feature batch statistics. Complete batch_statistics() below.
// The contract (shapes, errors) is in batch_statistics.hpp; the lesson in README.md.
// Check your work with `./bnkit grade 01`; stuck? `./bnkit hint 01`.
#include "batch_statistics.hpp"

#include "bnkit/checks.hpp"
#include "bnkit/todo.hpp"

namespace bnkit {

void batch_statistics(Eigen::Ref<Eigen::VectorXd> mean, Eigen::Ref<Eigen::VectorXd> var,
                      Eigen::Ref<Eigen::VectorXd> var_unbiased,
                      const Eigen::Ref<const Eigen::MatrixXd>& x) {
  // TODO(lesson 01): fill mean, var and var_unbiased, each of length D = x.cols().
  //   1. Reject bad input with std::invalid_argument, in this order, before writing anything:
  //        N == 0  -> "batch_statistics needs at least one row, got input size [0, D]"
  //                   (shape_string({rows, cols}) from bnkit/checks.hpp formats the shape)
  //        outputs of the wrong length -> check_length(mean.size(), D, "mean"), and the
  //                   same for "var" and "var_unbiased".
  //   2. mean: the average of each column over the N rows.
  //   3. var: sum over rows of (x - mean)^2, divided by N (biased). Subtract the mean
  //      FIRST: never E[x^2] - E[x]^2 (a test feeds values near 1e8).
  //   4. var_unbiased: the same sum divided by N - 1 (NaN when N == 1, as in PyTorch).
  // The outputs are Eigen::Ref: assign to them (mean = ...), they cannot be resized.
  BNKIT_TODO("lesson 01, batch_statistics(): compute mean, var and var_unbiased");
}

}  // namespace bnkit
