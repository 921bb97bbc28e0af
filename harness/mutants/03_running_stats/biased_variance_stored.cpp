// Mutant of lesson 03: running_var is fed the biased batch variance, without the M/(M-1) correction.
// caught-by: RunningStats.MomentumSequencesMatchPyTorch
// diagnosis: biased_variance_stored
#include "running_stats.hpp"

#include "bnkit/checks.hpp"

#include <string>

namespace bnkit {

RunningStats make_running_stats(Eigen::Index num_features) {
  RunningStats running;
  // Before any data: mean 0, variance 1, so eval on a fresh layer is the identity map.
  running.mean = Eigen::VectorXd::Zero(num_features);
  running.var = Eigen::VectorXd::Ones(num_features);
  running.num_batches_tracked = 0;
  return running;
}

void update_running_stats(RunningStats& running, const Eigen::Ref<const Eigen::VectorXd>& batch_mean,
                          const Eigen::Ref<const Eigen::VectorXd>& batch_var, Eigen::Index count,
                          std::optional<double> momentum) {
  check_length(running.mean.size(), batch_mean.size(), "running_mean");
  check_length(running.var.size(), batch_var.size(), "running_var");
  if (count < 2) {
    throw std::invalid_argument("update_running_stats needs count >= 2 values per feature, got " +
                                std::to_string(count) + ": the unbiased variance divides by count - 1");
  }

  // The counter goes up first: with momentum None its new value is the divisor.
  running.num_batches_tracked += 1;
  // Weight of the new batch. None: 1/k at batch k, which makes the buffers the plain
  // average of all batch statistics so far (batch 1 overwrites the initial 0 and 1).
  const double m = momentum ? *momentum : 1.0 / static_cast<double>(running.num_batches_tracked);

  // Unbiased (M-1) variance goes into running_var: it estimates the population's variance.
  // MUTANT: the biased batch variance goes in as it is, without the M/(M-1) correction.
  const Eigen::VectorXd unbiased = batch_var;

  // PyTorch's form: keep (1-m) of the old estimate, take m of the new batch.
  running.mean = (1.0 - m) * running.mean + m * batch_mean;
  running.var = (1.0 - m) * running.var + m * unbiased;
}

double momentum_from_keras(double keras_momentum) {
  // Keras: new = k*old + (1-k)*batch. PyTorch: new = (1-m)*old + m*batch. So m = 1 - k.
  return 1.0 - keras_momentum;
}

}  // namespace bnkit
