// attack: none: a correct lesson 03 that compiles only with warnings (unused variable, signed/unsigned comparison, shadowing): warnings cost nothing, full 17
// lesson: 03_running_stats
// expect: 17
// compiles: yes
#include "running_stats.hpp"

#include "bnkit/checks.hpp"

#include <string>
#include <vector>

namespace bnkit {

RunningStats make_running_stats(Eigen::Index num_features) {
  int unused = 42;  // -Wunused-variable
  RunningStats running;
  running.mean = Eigen::VectorXd::Zero(num_features);
  running.var = Eigen::VectorXd::Ones(num_features);
  return running;
}

void update_running_stats(RunningStats& running, const Eigen::Ref<const Eigen::VectorXd>& batch_mean,
                          const Eigen::Ref<const Eigen::VectorXd>& batch_var, Eigen::Index count,
                          std::optional<double> momentum) {
  check_length(running.mean.size(), batch_mean.size(), "running_mean");
  check_length(running.var.size(), batch_var.size(), "running_var");
  if (count < 2) throw std::invalid_argument("count must be at least 2, got " + std::to_string(count));
  std::vector<double> weights(2);
  for (int i = 0; i < weights.size(); ++i) weights[i] = 0.5;  // -Wsign-compare
  running.num_batches_tracked += 1;
  const double m = momentum ? *momentum : 1.0 / static_cast<double>(running.num_batches_tracked);
  const Eigen::VectorXd unbiased = [&] {
    const double m = static_cast<double>(count);  // -Wshadow: this m is the count
    return Eigen::VectorXd(batch_var * (m / (m - 1.0)));
  }();
  running.mean = (1.0 - m) * running.mean + m * batch_mean;
  running.var = (1.0 - m) * running.var + m * unbiased;
}

double momentum_from_keras(double keras_momentum) {
  return 1.0 - keras_momentum;
}

}  // namespace bnkit
