// attack: an honest constructor (StartsLikePyTorch, 2, deserved), but forward() returns a tensor of the wrong shape (x's dims reversed, plus a spare axis, all zeros) and never touches the buffers, hoping a shape mismatch slips through or crashes the grader
// lesson: 04_eval_mode
// expect: 2
// compiles: yes
#include "eval_mode.hpp"

#include "bnkit/checks.hpp"

namespace bnkit {

BatchNorm1d::BatchNorm1d(Index channels, BatchNormOptions switches)
    : num_features(channels), options(switches) {
  if (options.affine) {
    gamma = Eigen::VectorXd::Ones(num_features);
    beta = Eigen::VectorXd::Zero(num_features);
  }
  if (options.track_running_stats) {
    running_mean = Eigen::VectorXd::Zero(num_features);
    running_var = Eigen::VectorXd::Ones(num_features);
  }
}

Tensor BatchNorm1d::forward(const Tensor& x) {
  std::vector<Index> shape(x.shape().rbegin(), x.shape().rend());
  shape.push_back(2);
  return Tensor(shape);
}

}  // namespace bnkit
