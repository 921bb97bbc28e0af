// Reference solution, lesson 08: LayerNorm, GroupNorm and RMSNorm, forward and backward.
//
// The one idea of the lesson: all three normalise a "unit" of D values that sit next to
// each other in memory, one unit per sample (LayerNorm, RMSNorm) or per (sample, group)
// (GroupNorm). Seen as a D x U matrix (column u = unit u) every statistic is a column
// reduction, and no column ever looks at another sample: batch independence by design.
#include "other_norms.hpp"

#include "bnkit/checks.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace bnkit {
namespace {

using Units = Eigen::Map<Eigen::MatrixXd>;
using ConstUnits = Eigen::Map<const Eigen::MatrixXd>;

/// x's trailing axes must be weight's shape (PyTorch's normalized_shape), word for word.
void check_normalized_shape(const Tensor& x, const Tensor& weight) {
  const std::vector<Index>& xs = x.shape();
  const std::vector<Index>& ws = weight.shape();
  const bool ok = xs.size() >= ws.size() && std::equal(ws.begin(), ws.end(), xs.end() - static_cast<long>(ws.size()));
  if (!ok) {
    std::string star = "[*";
    for (const Index d : ws) star += ", " + std::to_string(d);
    throw std::invalid_argument("Given normalized_shape=" + shape_string(ws) + ", expected input with shape " + star +
                                "], but got input of size" + shape_string(xs));
  }
}

/// GroupNorm's checks on num_groups and on x (steps 1, 3, 4 of the contract).
void check_groups(Index num_groups, Index channels) {
  if (num_groups < 1 || channels % num_groups != 0) {
    throw std::invalid_argument("num_channels must be divisible by num_groups");
  }
}
void check_group_input(const Tensor& x, Index channels) {
  if (x.rank() < 2) {
    throw std::invalid_argument("expected at least 2D input (got " + std::to_string(x.rank()) + "D input)");
  }
  check_channels(x.shape(), channels);
}

/// The per-element weight of one GroupNorm unit of group g: channel g*C/G + i/L for value i.
Eigen::ArrayXd group_scale(const Eigen::VectorXd& weight, Index g, Index per_group, Index length) {
  Eigen::ArrayXd s(per_group * length);
  for (Index k = 0; k < per_group; ++k) s.segment(k * length, length).setConstant(weight[g * per_group + k]);
  return s;
}

/// dx of one unit, given xhat, rstd and g = dy * weight: the same formula as lesson 05's,
/// with the unit's D values in place of a channel's M.
Eigen::ArrayXd unit_dx(const Eigen::ArrayXd& g, const Eigen::ArrayXd& xhat, double rstd) {
  return rstd * (g - g.mean() - xhat * (g * xhat).mean());
}

}  // namespace

Tensor layer_norm(const Tensor& x, const Tensor& weight, const Tensor& bias, double eps) {
  check_same_shape(bias.shape(), weight.shape(), "bias");
  check_normalized_shape(x, weight);
  Tensor y(x.shape());
  if (x.numel() == 0) return y;
  const Index d = weight.numel();
  const ConstUnits xs(x.values().data(), d, x.numel() / d);  // column u: unit u's D values
  Units ys(y.values().data(), d, x.numel() / d);
  for (Index u = 0; u < xs.cols(); ++u) {
    const Eigen::ArrayXd v = xs.col(u).array();
    const double mean = v.mean();                     // over this unit only: no other sample
    const double var = (v - mean).square().mean();    // biased (divide by D)
    const double rstd = 1.0 / std::sqrt(var + eps);   // eps inside the root
    ys.col(u) = ((v - mean) * rstd * weight.values().array() + bias.values().array()).matrix();  // per element
  }
  return y;
}

LayerNormGrads layer_norm_backward(const Tensor& dy, const Tensor& x, const Tensor& weight, double eps) {
  check_normalized_shape(x, weight);
  check_same_shape(dy.shape(), x.shape(), "dy");
  LayerNormGrads grads{Tensor(x.shape()), Tensor(weight.shape()), Tensor(weight.shape())};
  if (x.numel() == 0) return grads;
  const Index d = weight.numel();
  const ConstUnits xs(x.values().data(), d, x.numel() / d);
  const ConstUnits dys(dy.values().data(), d, x.numel() / d);
  Units dxs(grads.dx.values().data(), d, x.numel() / d);
  for (Index u = 0; u < xs.cols(); ++u) {
    const Eigen::ArrayXd v = xs.col(u).array();
    const double mean = v.mean();
    const double rstd = 1.0 / std::sqrt((v - mean).square().mean() + eps);
    const Eigen::ArrayXd xhat = (v - mean) * rstd;
    const Eigen::ArrayXd d_y = dys.col(u).array();
    // The parameters are shared by every unit: their gradients sum over the units.
    grads.dweight.values().array() += d_y * xhat;
    grads.dbias.values().array() += d_y;
    dxs.col(u) = unit_dx(d_y * weight.values().array(), xhat, rstd).matrix();
  }
  return grads;
}

Tensor group_norm(const Tensor& x, Index num_groups, const Eigen::VectorXd& weight, const Eigen::VectorXd& bias,
                  double eps) {
  const Index c = weight.size();
  check_groups(num_groups, c);
  check_length(bias.size(), c, "bias");
  check_group_input(x, c);
  Tensor y(x.shape());
  if (x.numel() == 0) return y;
  const Index per_group = c / num_groups;
  const Index length = x.numel() / (x.dim(0) * c);  // positions of one channel (L = H*W, ...)
  const Index d = per_group * length;                // values per unit: channels in a block, contiguous
  const ConstUnits xs(x.values().data(), d, x.dim(0) * num_groups);  // column n*G + g
  Units ys(y.values().data(), d, x.dim(0) * num_groups);
  for (Index u = 0; u < xs.cols(); ++u) {
    const Index g = u % num_groups;
    const Eigen::ArrayXd v = xs.col(u).array();
    const double mean = v.mean();
    const double rstd = 1.0 / std::sqrt((v - mean).square().mean() + eps);
    const Eigen::ArrayXd scale = group_scale(weight, g, per_group, length);  // affine per CHANNEL
    const Eigen::ArrayXd shift = group_scale(bias, g, per_group, length);
    ys.col(u) = ((v - mean) * rstd * scale + shift).matrix();
  }
  return y;
}

GroupNormGrads group_norm_backward(const Tensor& dy, const Tensor& x, Index num_groups,
                                   const Eigen::VectorXd& weight, double eps) {
  const Index c = weight.size();
  check_groups(num_groups, c);
  check_group_input(x, c);
  check_same_shape(dy.shape(), x.shape(), "dy");
  GroupNormGrads grads{Tensor(x.shape()), Eigen::VectorXd::Zero(c), Eigen::VectorXd::Zero(c)};
  if (x.numel() == 0) return grads;
  const Index per_group = c / num_groups;
  const Index length = x.numel() / (x.dim(0) * c);
  const Index d = per_group * length;
  const ConstUnits xs(x.values().data(), d, x.dim(0) * num_groups);
  const ConstUnits dys(dy.values().data(), d, x.dim(0) * num_groups);
  Units dxs(grads.dx.values().data(), d, x.dim(0) * num_groups);
  for (Index u = 0; u < xs.cols(); ++u) {
    const Index g = u % num_groups;
    const Eigen::ArrayXd v = xs.col(u).array();
    const double mean = v.mean();
    const double rstd = 1.0 / std::sqrt((v - mean).square().mean() + eps);
    const Eigen::ArrayXd xhat = (v - mean) * rstd;
    const Eigen::ArrayXd d_y = dys.col(u).array();
    for (Index k = 0; k < per_group; ++k) {  // channel g*C/G + k holds values [k*L, (k+1)*L)
      grads.dweight[g * per_group + k] += (d_y.segment(k * length, length) * xhat.segment(k * length, length)).sum();
      grads.dbias[g * per_group + k] += d_y.segment(k * length, length).sum();
    }
    dxs.col(u) = unit_dx(d_y * group_scale(weight, g, per_group, length), xhat, rstd).matrix();
  }
  return grads;
}

Tensor rms_norm(const Tensor& x, const Tensor& weight, double eps) {
  check_normalized_shape(x, weight);
  Tensor y(x.shape());
  if (x.numel() == 0) return y;
  const Index d = weight.numel();
  const ConstUnits xs(x.values().data(), d, x.numel() / d);
  Units ys(y.values().data(), d, x.numel() / d);
  for (Index u = 0; u < xs.cols(); ++u) {
    const Eigen::ArrayXd v = xs.col(u).array();
    const double r = 1.0 / std::sqrt(v.square().mean() + eps);  // no mean subtracted; eps inside
    ys.col(u) = (v * r * weight.values().array()).matrix();       // no bias
  }
  return y;
}

RmsNormGrads rms_norm_backward(const Tensor& dy, const Tensor& x, const Tensor& weight, double eps) {
  check_normalized_shape(x, weight);
  check_same_shape(dy.shape(), x.shape(), "dy");
  RmsNormGrads grads{Tensor(x.shape()), Tensor(weight.shape())};
  if (x.numel() == 0) return grads;
  const Index d = weight.numel();
  const ConstUnits xs(x.values().data(), d, x.numel() / d);
  const ConstUnits dys(dy.values().data(), d, x.numel() / d);
  Units dxs(grads.dx.values().data(), d, x.numel() / d);
  for (Index u = 0; u < xs.cols(); ++u) {
    const Eigen::ArrayXd v = xs.col(u).array();
    const double r = 1.0 / std::sqrt(v.square().mean() + eps);
    const Eigen::ArrayXd xhat = v * r;
    const Eigen::ArrayXd d_y = dys.col(u).array();
    grads.dweight.values().array() += d_y * xhat;
    const Eigen::ArrayXd g = d_y * weight.values().array();
    // LayerNorm's dx without the mean(g) term: there is no mean to differentiate through.
    dxs.col(u) = (r * (g - xhat * (g * xhat).mean())).matrix();
  }
  return grads;
}

}  // namespace bnkit
