// Reference solution, lesson 05: the train-mode backward pass, node by node.
//
// Shapes: N = batch, C = channels, L = length (1 for an (N,C) input), M = N * L values per
// channel. Channel c of a tensor is an L x N view (Tensor::channel), so every per-channel
// sum below is a sum over that whole view.
#include "backward.hpp"

#include "bnkit/checks.hpp"

#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace bnkit {

namespace {

/// Values per channel: N for (N,C), N * L for (N,C,L).
Index values_per_channel(const Tensor& t) { return t.dim(0) * (t.rank() == 3 ? t.dim(2) : 1); }

/// "dy should have shape [4, 3] not [4, 2]".
void check_tensor_shape(const Tensor& t, const std::vector<Index>& shape, const std::string& name) {
  if (t.shape() != shape) {
    throw std::invalid_argument(name + " should have shape " + shape_string(shape) + " not " +
                                shape_string(t.shape()));
  }
}

}  // namespace

Tensor batchnorm_forward_nodes(ForwardNodes& nodes, const Tensor& x, const Eigen::VectorXd& gamma,
                               const Eigen::VectorXd& beta, double eps) {
  // Every check before any write.
  check_rank_2_or_3(x.shape());
  const Index channels = x.dim(1);
  const bool affine = gamma.size() > 0 || beta.size() > 0;
  if (affine) {
    check_length(gamma.size(), channels, "gamma");
    check_length(beta.size(), channels, "beta");
  }
  const Index m = values_per_channel(x);
  check_more_than_one_value_per_channel(m, x.shape());

  ForwardNodes out;
  out.mean.resize(channels);
  out.var.resize(channels);
  out.rstd.resize(channels);
  out.xc = Tensor(x.shape());
  out.xhat = Tensor(x.shape());
  Tensor y(x.shape());
  for (Index c = 0; c < channels; ++c) {
    // mean = sum(x) / M, over N and L.
    out.mean[c] = x.channel(c).mean();
    // xc = x - mean: its own node, because two nodes read it (var and xhat).
    out.xc.channel(c).array() = x.channel(c).array() - out.mean[c];
    // var = sum(xc^2) / M: biased (divide by M), this one normalises. Two passes: the
    // squares are of the centred values, so a large offset costs no digits.
    out.var[c] = out.xc.channel(c).array().square().mean();
    // rstd = 1 / sqrt(var + eps): eps inside the square root.
    out.rstd[c] = 1.0 / std::sqrt(out.var[c] + eps);
    // xhat = xc * rstd.
    out.xhat.channel(c) = out.xc.channel(c) * out.rstd[c];
    // y = gamma * xhat + beta (xhat itself when not affine).
    y.channel(c).array() = affine ? (out.xhat.channel(c).array() * gamma[c] + beta[c]).eval()
                                  : out.xhat.channel(c).array().eval();
  }
  nodes = std::move(out);
  return y;
}

void batchnorm_backward_nodes(NodeGradients& grads, const Tensor& dy, const ForwardNodes& nodes,
                              const Eigen::VectorXd& gamma) {
  // Every check before any write; x's shape is the shape of nodes.xhat.
  check_rank_2_or_3(nodes.xhat.shape());
  const std::vector<Index>& shape = nodes.xhat.shape();
  const Index channels = shape[1];
  check_tensor_shape(dy, shape, "dy");
  check_tensor_shape(nodes.xc, shape, "nodes.xc");
  check_length(nodes.var.size(), channels, "nodes.var");
  check_length(nodes.rstd.size(), channels, "nodes.rstd");
  const bool affine = gamma.size() > 0;
  if (affine) check_length(gamma.size(), channels, "gamma");
  const double m = static_cast<double>(values_per_channel(nodes.xhat));

  NodeGradients g;
  if (affine) {
    g.dbeta.resize(channels);
    g.dgamma.resize(channels);
  }
  g.drstd.resize(channels);
  g.dmean.resize(channels);
  g.dxhat = Tensor(shape);
  g.dxc = Tensor(shape);
  g.dx = Tensor(shape);
  for (Index c = 0; c < channels; ++c) {
    const ConstChannelView dy_c = dy.channel(c), xc = nodes.xc.channel(c), xhat = nodes.xhat.channel(c);
    const double rstd = nodes.rstd[c];
    // 1. y = gamma * xhat + beta. beta is added to every value of the channel, so its
    //    gradient is the sum of dy over N and L; gamma multiplies xhat, so dgamma sums
    //    dy * xhat over the same values.
    if (affine) {
      g.dbeta[c] = dy_c.sum();
      g.dgamma[c] = (dy_c.array() * xhat.array()).sum();
    }
    // 2. dxhat = dy * gamma (dy itself when not affine): the local derivative of y wrt xhat.
    g.dxhat.channel(c) = dy_c * (affine ? gamma[c] : 1.0);
    const ConstChannelView dxhat = static_cast<const Tensor&>(g.dxhat).channel(c);
    // 3. xhat = xc * rstd: rstd is shared by every value of the channel, so its gradient
    //    sums dxhat * xc over them.
    g.drstd[c] = (dxhat.array() * xc.array()).sum();
    // 4. rstd = (var + eps)^(-1/2): d rstd / d var = -1/2 (var + eps)^(-3/2) = -rstd^3 / 2.
    //    eps is inside rstd, so it is in this derivative too.
    const double dvar = -0.5 * rstd * rstd * rstd * g.drstd[c];
    // 5. xc feeds two nodes, so two paths add up:
    //    through xhat = xc * rstd:      dxhat * rstd
    //    through var = sum(xc^2) / M:   dvar * 2 * xc / M   (M, not M - 1: the biased variance)
    g.dxc.channel(c) = dxhat * rstd + xc * (dvar * 2.0 / m);
    const ConstChannelView dxc = static_cast<const Tensor&>(g.dxc).channel(c);
    // 6. xc = x - mean: mean is subtracted from every value, so dmean = -sum(dxc). The var
    //    path inside dxc contributes dvar * 2 / M * sum(xc) = 0 here (the centred values sum
    //    to zero), so -rstd * sum(dxhat) is the same number.
    g.dmean[c] = -dxc.sum();
    // 7. x feeds xc directly and the mean (mean = sum(x) / M): dx = dxc + dmean / M.
    g.dx.channel(c) = (dxc.array() + g.dmean[c] / m).matrix();
  }
  grads = std::move(g);
}

}  // namespace bnkit
