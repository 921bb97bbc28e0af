// Lesson 08: LayerNorm, GroupNorm and RMSNorm, forward and backward. Complete the six
// functions. The contract is in other_norms.hpp; the lesson in README.md.
// Check your work with `./bnkit grade 08`; stuck? `./bnkit hint 08`.
#include "other_norms.hpp"

#include "bnkit/checks.hpp"
#include "bnkit/todo.hpp"

#include <cmath>

namespace bnkit {

Tensor layer_norm(const Tensor& x, const Tensor& weight, const Tensor& bias, double eps) {
  // TODO(lesson 08): checks first: check_same_shape(bias.shape(), weight.shape(), "bias"),
  //   then x's trailing axes == weight.shape() (the "Given normalized_shape=..." message of
  //   the contract, word for word). An x with no values: return Tensor(x.shape()).
  //   D = weight.numel() values per unit, x.numel() / D units, each contiguous in memory:
  //   Eigen::Map<const Eigen::MatrixXd>(x.values().data(), D, units) has one unit per column.
  //   Per column: mean, biased var, y = (v - mean) / sqrt(var + eps) * weight + bias,
  //   weight and bias elementwise (weight.values().array()).
  BNKIT_TODO("lesson 08, layer_norm(): per-sample statistics over the trailing axes");
}

LayerNormGrads layer_norm_backward(const Tensor& dy, const Tensor& x, const Tensor& weight, double eps) {
  // TODO(lesson 08): checks (x's trailing axes, then check_same_shape(dy.shape(), x.shape(),
  //   "dy")). Per unit recompute mean and rstd, xhat = (v - mean) * rstd, g = dy * weight:
  //     dx = rstd * (g - mean(g) - xhat * mean(g * xhat));
  //     dweight += dy * xhat, dbias += dy (summed over the units, weight's shape).
  BNKIT_TODO("lesson 08, layer_norm_backward(): dx, dweight, dbias");
}

Tensor group_norm(const Tensor& x, Index num_groups, const Eigen::VectorXd& weight, const Eigen::VectorXd& bias,
                  double eps) {
  // TODO(lesson 08): C = weight.size(). Checks in order: num_groups >= 1 and C % num_groups
  //   == 0, check_length(bias.size(), C, "bias"), rank >= 2, check_channels(x.shape(), C).
  //   L = x.numel() / (N * C) positions per channel; a unit is sample n, group g: channels
  //   g*C/G .. (g+1)*C/G - 1, (C/G)*L contiguous values. Statistics per unit; the affine
  //   per CHANNEL: y = xhat * weight[c] + bias[c].
  BNKIT_TODO("lesson 08, group_norm(): statistics per (sample, group of channels)");
}

GroupNormGrads group_norm_backward(const Tensor& dy, const Tensor& x, Index num_groups,
                                   const Eigen::VectorXd& weight, double eps) {
  // TODO(lesson 08): the checks of group_norm (no bias here), then dy's shape. Per unit:
  //   g = dy * weight[c], dx = rstd * (g - mean(g) - xhat * mean(g * xhat)); dweight[c] and
  //   dbias[c] sum dy * xhat and dy over every sample and position of channel c.
  BNKIT_TODO("lesson 08, group_norm_backward(): dx, dweight, dbias");
}

Tensor rms_norm(const Tensor& x, const Tensor& weight, double eps) {
  // TODO(lesson 08): layer_norm's shape check. Per unit: rms = sqrt(mean(v^2) + eps) (no
  //   mean subtracted, eps inside the root), y = v / rms * weight. No bias.
  BNKIT_TODO("lesson 08, rms_norm(): scale by the root mean square");
}

RmsNormGrads rms_norm_backward(const Tensor& dy, const Tensor& x, const Tensor& weight, double eps) {
  // TODO(lesson 08): checks as layer_norm_backward. Per unit: r = 1 / rms, xhat = v * r,
  //   g = dy * weight: dx = r * (g - xhat * mean(g * xhat)); dweight += dy * xhat.
  BNKIT_TODO("lesson 08, rms_norm_backward(): dx, dweight");
}

}  // namespace bnkit
