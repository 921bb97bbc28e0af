// Lesson 12's trusted oracle: the notes' MLP, forward and backward, written out plainly from
// the formulas, on the trusted side. It shares the kit's layers with the code under test
// (Linear, Relu, Dropout, the loss, Sgd, the batches: bnkit/nn/, kit code that runs on both
// sides), and nothing else: its BatchNorm and LayerNorm are its own, below, and it includes
// no lesson .cpp (the lessons' functions are not even linked into this binary, so a call to
// one would not link).
//
// Shapes: B = batch, D = a layer's width. Activations are (B, D), one sample per row.
//
// Every function works on a model the test owns: the oracle's copy, never the one that went
// to the worker. It fills the same fields the contract names (buffers, saved activations,
// gradients), so a test compares the two models field by field.
#pragma once

#include "capstone.hpp"

#include <Eigen/Core>

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace bnkit::oracle {

/// Switches a model as the contract says: the model, both BatchNorms, both Dropouts.
inline void set_training(Mlp& m, bool training) {
  m.training = training;
  for (HiddenBlock* b : {&m.block1, &m.block2}) {
    b->batch_norm.training = training;
    b->dropout.training = training;
  }
}

/// How the oracle computes a variance: the two-pass formula (the right one), or the one-pass
/// E[x^2] - E[x]^2 that the large-offset test proves would fail its tolerance.
enum class Variance { two_pass, one_pass };

/// (D) biased variance of z's columns (divide by B): what BatchNorm normalises with.
inline Eigen::VectorXd biased_variance(const Matrix& z, const Eigen::VectorXd& mean, Variance how) {
  if (how == Variance::one_pass) {
    return (z.array().square().colwise().mean().transpose() - mean.array().square()).matrix();
  }
  return (z.rowwise() - mean.transpose()).array().square().colwise().mean().transpose().matrix();
}

/// BatchNorm1d's forward on (B, D), as lesson 04 defines it (PyTorch's module):
///   train mode: normalise with the batch's mean and biased variance; then
///     num_batches_tracked += 1, and the running statistics move by the momentum
///     (None: the cumulative average, 1 / num_batches_tracked), running_var with the
///     UNBIASED variance (var * B / (B - 1));
///   eval mode: normalise with running_mean and running_var; nothing changes.
/// In train mode it saves norm_input, batch_mean and batch_rstd into the block when `save`.
inline Matrix batch_norm(HiddenBlock& b, const Matrix& z, bool save, Variance how = Variance::two_pass) {
  BatchNorm1d& bn = b.batch_norm;
  const Eigen::Index rows = z.rows();
  const double eps = bn.options.eps;
  if (!bn.training) {
    const Eigen::ArrayXd rstd = (bn.running_var.array() + eps).rsqrt();  // eps inside the root
    const Eigen::ArrayXd scale = bn.gamma.array() * rstd;
    Matrix y = (z.rowwise() - bn.running_mean.transpose()).array().rowwise() * scale.transpose();
    y.rowwise() += bn.beta.transpose();
    return y;
  }
  if (rows < 2) throw std::logic_error("oracle: BatchNorm in train mode needs two rows (a test bug)");
  const Eigen::VectorXd mean = z.colwise().mean().transpose();
  const Eigen::VectorXd var = biased_variance(z, mean, how);           // biased (divide by B): this normalises
  const Eigen::VectorXd rstd = (var.array() + eps).rsqrt().matrix();   // eps inside the root
  Matrix y = (z.rowwise() - mean.transpose()).array().rowwise() * (rstd.array() * bn.gamma.array()).transpose();
  y.rowwise() += bn.beta.transpose();
  bn.num_batches_tracked += 1;
  const double m = bn.options.momentum ? *bn.options.momentum : 1.0 / static_cast<double>(bn.num_batches_tracked);
  const double bessel = static_cast<double>(rows) / static_cast<double>(rows - 1);
  bn.running_mean = (1.0 - m) * bn.running_mean + m * mean;
  bn.running_var = (1.0 - m) * bn.running_var + m * bessel * var;      // unbiased (B-1): the running estimate
  if (save) {
    b.norm_input = z;
    b.batch_mean = mean;
    b.batch_rstd = rstd;
  }
  return y;
}

/// LayerNorm over each row's D values: (z - mean_row) / sqrt(var_row + eps) * weight + bias,
/// biased variance. The same in both modes; saves norm_input in train mode when `save`.
inline Matrix layer_norm(HiddenBlock& b, const Matrix& z, double eps, bool save) {
  const Eigen::Map<const Eigen::RowVectorXd> w(b.ln_weight.values().data(), b.ln_weight.numel());
  const Eigen::Map<const Eigen::RowVectorXd> bias(b.ln_bias.values().data(), b.ln_bias.numel());
  Matrix y(z.rows(), z.cols());
  for (Eigen::Index n = 0; n < z.rows(); ++n) {
    const double mean = z.row(n).mean();
    const double var = (z.row(n).array() - mean).square().mean();  // biased (divide by D)
    const double rstd = 1.0 / std::sqrt(var + eps);
    y.row(n) = ((z.row(n).array() - mean) * rstd * w.array() + bias.array()).matrix();
  }
  if (save) b.norm_input = z;
  return y;
}

inline Matrix normalize(Mlp& m, HiddenBlock& b, const Matrix& z, Variance how) {
  switch (m.config.norm) {
    case Norm::none:
      return z;
    case Norm::batch:
      return batch_norm(b, z, m.training, how);
    case Norm::layer:
      return layer_norm(b, z, m.config.eps, m.training);
  }
  return z;
}

inline Matrix block_forward(Mlp& m, HiddenBlock& b, const Matrix& x, Variance how) {
  Matrix h = b.linear.forward(x);
  if (m.config.placement == Placement::before_relu) {
    h = b.relu.forward(normalize(m, b, h, how));   // Linear -> Norm -> ReLU
  } else {
    h = normalize(m, b, b.relu.forward(h), how);   // Linear -> ReLU -> Norm
  }
  return b.dropout.forward(h);                     // then Dropout, in both placements
}

/// The logits (B, classes): block1, block2, head. Updates what the contract's forward
/// updates (BatchNorm's buffers in train mode, the Dropout counters, the saved activations).
inline Matrix forward(Mlp& m, const Matrix& x, Variance how = Variance::two_pass) {
  Matrix h = block_forward(m, m.block1, x, how);
  h = block_forward(m, m.block2, h, how);
  return m.head.forward(h);
}

/// BatchNorm's backward from the saved batch statistics (B rows, xhat = (x - mean) * rstd):
///   dbeta = sum_b dy;   dgamma = sum_b dy * xhat;   g = dy * gamma
///   dx = rstd / B * (B g - sum_b g - xhat * sum_b g * xhat)
inline Matrix batch_norm_backward(HiddenBlock& b, const Matrix& dy) {
  const double rows = static_cast<double>(dy.rows());
  const Eigen::ArrayXXd xhat =
      ((b.norm_input.rowwise() - b.batch_mean.transpose()).array().rowwise() * b.batch_rstd.array().transpose());
  const Eigen::ArrayXXd d = dy.array();
  b.dbeta = d.colwise().sum().transpose().matrix();
  b.dgamma = (d * xhat).colwise().sum().transpose().matrix();
  const Eigen::ArrayXXd g = d.rowwise() * b.batch_norm.gamma.array().transpose();
  const Eigen::ArrayXXd sum_g = g.colwise().sum().replicate(dy.rows(), 1);
  const Eigen::ArrayXXd sum_gx = (g * xhat).colwise().sum().replicate(dy.rows(), 1);
  Matrix dx = ((rows * g - sum_g - xhat * sum_gx).rowwise() * (b.batch_rstd.array() / rows).transpose()).matrix();
  return dx;
}

/// LayerNorm's backward, row by row (xhat from the saved input):
///   dbias = sum_n dy;   dweight = sum_n dy * xhat;   g = dy * weight
///   dx = rstd * (g - mean(g) - xhat * mean(g * xhat))        (means over the row's D values)
inline Matrix layer_norm_backward(HiddenBlock& b, const Matrix& dy, double eps) {
  const Eigen::Index d = dy.cols();
  const Eigen::Map<const Eigen::RowVectorXd> w(b.ln_weight.values().data(), b.ln_weight.numel());
  Eigen::RowVectorXd dweight = Eigen::RowVectorXd::Zero(d), dbias = Eigen::RowVectorXd::Zero(d);
  Matrix dx(dy.rows(), d);
  for (Eigen::Index n = 0; n < dy.rows(); ++n) {
    const Eigen::ArrayXd z = b.norm_input.row(n).transpose().array();
    const double mean = z.mean();
    const double rstd = 1.0 / std::sqrt((z - mean).square().mean() + eps);
    const Eigen::ArrayXd xhat = (z - mean) * rstd;
    const Eigen::ArrayXd dyn = dy.row(n).transpose().array();
    dweight += (dyn * xhat).matrix().transpose();
    dbias += dy.row(n);
    const Eigen::ArrayXd g = dyn * w.transpose().array();
    dx.row(n) = (rstd * (g - g.mean() - xhat * (g * xhat).mean())).matrix().transpose();
  }
  b.ln_dweight = Tensor({d}, dweight.transpose());
  b.ln_dbias = Tensor({d}, dbias.transpose());
  return dx;
}

inline Matrix normalize_backward(Mlp& m, HiddenBlock& b, const Matrix& dy) {
  switch (m.config.norm) {
    case Norm::none:
      return dy;
    case Norm::batch:
      return batch_norm_backward(b, dy);
    case Norm::layer:
      return layer_norm_backward(b, dy, m.config.eps);
  }
  return dy;
}

/// The forward in reverse: Dropout, then ReLU and the norm in the reverse of their order,
/// then the Linear (whose input gradient block1 does not need).
inline Matrix block_backward(Mlp& m, HiddenBlock& b, const Matrix& dout, bool need_dx) {
  Matrix d = b.dropout.backward(dout);
  if (m.config.placement == Placement::before_relu) {
    d = normalize_backward(m, b, b.relu.backward(d));
  } else {
    d = b.relu.backward(normalize_backward(m, b, d));
  }
  if (!need_dx) {
    b.linear.backward_parameters(d);
    return Matrix();
  }
  return b.linear.backward(d);
}

/// Every parameter's gradient for dlogits, after a train-mode forward of this model.
inline void backward(Mlp& m, const Matrix& dlogits) {
  Matrix d = m.head.backward(dlogits);
  d = block_backward(m, m.block2, d, true);
  block_backward(m, m.block1, d, false);
}

/// One epoch as the contract says: train mode, then for each batch of shuffled_batches:
/// forward, loss, backward, one SGD step on parameters(m). Returns the mean batch loss.
inline double train_epoch(Mlp& m, Sgd& sgd, const Dataset& data, Eigen::Index batch_size, std::uint64_t seed) {
  oracle::set_training(m, true);
  const auto batches = shuffled_batches(data.size(), batch_size, seed);
  double total = 0.0;
  std::vector<int> labels;
  Matrix dlogits;
  for (const auto& indices : batches) {
    const Matrix logits = forward(m, data.batch(indices, labels));
    total += softmax_cross_entropy(logits, labels, dlogits);
    backward(m, dlogits);
    sgd.step(parameters(m));
  }
  return batches.empty() ? 0.0 : total / static_cast<double>(batches.size());
}

/// y = x W^T + b with plain loops over the nonzero inputs. The same sums as Linear::apply
/// in another order; written out because the test binary is built without optimisation,
/// where Eigen's matrix product is ~20x slower than this (images are half zeros).
inline Matrix plain_linear(const Linear& l, const Matrix& x) {
  const Eigen::Index rows = x.rows(), in = l.in_features(), out = l.out_features();
  if (x.cols() != in) throw std::logic_error("oracle: input width does not match the layer (a test bug)");
  const Matrix wt = l.weight.transpose();  // (in, out), row-major: row k is input k's weights
  Matrix y(rows, out);
  for (Eigen::Index i = 0; i < rows; ++i) {
    double* yi = y.data() + i * out;
    for (Eigen::Index o = 0; o < out; ++o) yi[o] = l.bias[o];
    const double* xi = x.data() + i * in;
    for (Eigen::Index k = 0; k < in; ++k) {
      const double v = xi[k];
      if (v == 0.0) continue;
      const double* wk = wt.data() + k * out;
      for (Eigen::Index o = 0; o < out; ++o) yi[o] += v * wk[o];
    }
  }
  return y;
}

/// The eval-mode logits of a model (which is not changed), with plain_linear: Linear, the
/// norm with the running statistics (BatchNorm) or the row's own (LayerNorm), ReLU on its
/// side of the norm, no Dropout.
inline Matrix eval_logits(const Mlp& model, const Matrix& x) {
  Mlp m = model;
  oracle::set_training(m, false);
  Matrix h = x;
  for (HiddenBlock* b : {&m.block1, &m.block2}) {
    h = plain_linear(b->linear, h);
    if (m.config.placement == Placement::before_relu) {
      h = normalize(m, *b, h, Variance::two_pass).cwiseMax(0.0);
    } else {
      h = normalize(m, *b, h.cwiseMax(0.0), Variance::two_pass);
    }
  }
  return plain_linear(m.head, h);
}

/// How many of `data` a model classifies right, measured on the trusted side: the eval-mode
/// forward of a copy (the model itself is untouched), in batches of `batch_size`.
inline Eigen::Index correct_count(const Mlp& model, const Dataset& data, Eigen::Index batch_size = 250) {
  Eigen::Index correct = 0;
  std::vector<int> labels;
  for (const auto& indices : ordered_batches(data.size(), batch_size)) {
    const std::vector<int> predicted = predictions(eval_logits(model, data.batch(indices, labels)));
    for (std::size_t i = 0; i < predicted.size(); ++i) correct += predicted[i] == labels[i];
  }
  return correct;
}

inline double accuracy(const Mlp& model, const Dataset& data) {
  return data.size() == 0 ? 0.0
                          : static_cast<double>(correct_count(model, data)) / static_cast<double>(data.size());
}

// ---- The model's parameters and gradients as named flat vectors -------------------------

/// One parameter tensor of the model: its name (as parameters() names it) and its values.
struct ParameterView {
  std::string name;
  double* value;
  Eigen::Index size;
};

/// Every parameter, in parameters()'s order, without looking at the gradients (a model
/// that never ran backward has none).
inline std::vector<ParameterView> parameter_views(Mlp& m) {
  std::vector<ParameterView> out;
  auto linear = [&](const std::string& name, Linear& l) {
    out.push_back({name + ".weight", l.weight.data(), l.weight.size()});
    out.push_back({name + ".bias", l.bias.data(), l.bias.size()});
  };
  auto block = [&](const std::string& name, HiddenBlock& b) {
    linear(name + ".linear", b.linear);
    if (m.config.norm == Norm::batch) {
      out.push_back({name + ".batch_norm.gamma", b.batch_norm.gamma.data(), b.batch_norm.gamma.size()});
      out.push_back({name + ".batch_norm.beta", b.batch_norm.beta.data(), b.batch_norm.beta.size()});
    } else if (m.config.norm == Norm::layer) {
      out.push_back({name + ".layer_norm.weight", b.ln_weight.values().data(), b.ln_weight.numel()});
      out.push_back({name + ".layer_norm.bias", b.ln_bias.values().data(), b.ln_bias.numel()});
    }
  };
  block("block1", m.block1);
  block("block2", m.block2);
  linear("head", m.head);
  return out;
}

/// All parameters in one vector (parameters()'s order, each tensor row-major).
inline Eigen::VectorXd flat_parameters(Mlp& m) {
  Eigen::Index n = 0;
  for (const ParameterView& p : parameter_views(m)) n += p.size;
  Eigen::VectorXd v(n);
  n = 0;
  for (const ParameterView& p : parameter_views(m)) {
    v.segment(n, p.size) = Eigen::Map<const Eigen::VectorXd>(p.value, p.size);
    n += p.size;
  }
  return v;
}

/// Writes a vector from flat_parameters back into the model.
inline void set_flat_parameters(Mlp& m, const Eigen::VectorXd& v) {
  Eigen::Index n = 0;
  for (const ParameterView& p : parameter_views(m)) {
    Eigen::Map<Eigen::VectorXd>(p.value, p.size) = v.segment(n, p.size);
    n += p.size;
  }
}

/// Each parameter's gradient as the model holds it (whatever size the backward left), by
/// parameter name, in parameters()'s order.
inline std::vector<std::pair<std::string, Eigen::VectorXd>> gradients(const Mlp& m) {
  std::vector<std::pair<std::string, Eigen::VectorXd>> out;
  auto flat = [](const auto& a) { return Eigen::VectorXd(Eigen::Map<const Eigen::VectorXd>(a.data(), a.size())); };
  auto linear = [&](const std::string& name, const Linear& l) {
    out.emplace_back(name + ".weight", flat(l.dweight));
    out.emplace_back(name + ".bias", l.dbias);
  };
  auto block = [&](const std::string& name, const HiddenBlock& b) {
    linear(name + ".linear", b.linear);
    if (m.config.norm == Norm::batch) {
      out.emplace_back(name + ".batch_norm.gamma", b.dgamma);
      out.emplace_back(name + ".batch_norm.beta", b.dbeta);
    } else if (m.config.norm == Norm::layer) {
      out.emplace_back(name + ".layer_norm.weight", b.ln_dweight.values());
      out.emplace_back(name + ".layer_norm.bias", b.ln_dbias.values());
    }
  };
  block("block1", m.block1);
  block("block2", m.block2);
  linear("head", m.head);
  return out;
}

}  // namespace bnkit::oracle
