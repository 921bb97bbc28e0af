// Lesson 03: running statistics. Complete the three functions below.
// The contract is in running_stats.hpp; the lesson (and the convention zoo) in README.md.
// Check your work with `./bnkit grade 03`; stuck? `./bnkit hint 03`.
#include "running_stats.hpp"

#include "bnkit/checks.hpp"
#include "bnkit/todo.hpp"

namespace bnkit {

RunningStats make_running_stats(Eigen::Index num_features) {
  // TODO(lesson 03): buffers of length num_features as PyTorch creates them:
  //   mean all 0, var all 1, num_batches_tracked 0.
  BNKIT_TODO("lesson 03, make_running_stats(): the initial buffers");
}

void update_running_stats(RunningStats& running, const Eigen::Ref<const Eigen::VectorXd>& batch_mean,
                          const Eigen::Ref<const Eigen::VectorXd>& batch_var, Eigen::Index count,
                          std::optional<double> momentum) {
  // TODO(lesson 03): fold one batch into the buffers, PyTorch's way.
  //   1. Reject bad input, in this order, before changing anything (the counter too):
  //      check_length(running.mean.size(), batch_mean.size(), "running_mean"), the same for
  //      "running_var" with batch_var; count < 2 -> std::invalid_argument naming the count.
  //   2. num_batches_tracked += 1 (first: momentum None needs the new count).
  //   3. m = *momentum, or 1.0 / num_batches_tracked when momentum is std::nullopt.
  //   4. unbiased = batch_var * count / (count - 1)    (batch_var arrives biased).
  //   5. mean = (1 - m) * mean + m * batch_mean;  var = (1 - m) * var + m * unbiased.
  BNKIT_TODO("lesson 03, update_running_stats(): the momentum update");
}

double momentum_from_keras(double keras_momentum) {
  // TODO(lesson 03): Keras keeps `keras_momentum` of the OLD value; PyTorch's momentum is
  //   the weight of the NEW batch. Return the PyTorch momentum that does the same.
  BNKIT_TODO("lesson 03, momentum_from_keras(): convert the convention");
}

}  // namespace bnkit
