// The capstone's model, as the course notes draw it, with BatchNorm or without:
//
//     Linear(784,128) -> [BatchNorm1d(128)] -> ReLU -> Dropout(0.3)
//     Linear(128,64)  -> [BatchNorm1d(64)]  -> ReLU -> Dropout(0.3)
//     Linear(64,10)
//
// The kit provides the layers, the initialisation and the parameter groups; the student
// wires them (lessons/12_capstone/capstone.hpp). Every field is public and the model is a
// plain value: it crosses the grading boundary whole with every call, like lesson 04's layer.
#pragma once

#include "bnkit/nn/data.hpp"
#include "bnkit/nn/dropout.hpp"
#include "bnkit/nn/linear.hpp"
#include "bnkit/nn/loss.hpp"
#include "bnkit/nn/matrix.hpp"
#include "bnkit/nn/relu.hpp"
#include "bnkit/nn/sgd.hpp"
#include "eval_mode.hpp"  // lesson 04: BatchNorm1d

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace bnkit {

/// Which normalisation each hidden block has.
enum class Norm { none, batch, layer };

/// Where the normalisation sits in a hidden block.
enum class Placement {
  before_relu,  ///< Linear -> Norm -> ReLU -> Dropout (the notes, and the BN paper)
  after_relu,   ///< Linear -> ReLU -> Norm -> Dropout
};

struct MlpConfig {
  Eigen::Index inputs = 784;   ///< 28 x 28 pixels
  Eigen::Index hidden1 = 128;
  Eigen::Index hidden2 = 64;
  Eigen::Index classes = 10;
  Norm norm = Norm::batch;
  Placement placement = Placement::before_relu;
  double dropout = 0.3;        ///< each hidden block's Dropout probability (0: none)
  double eps = 1e-5;           ///< BatchNorm's and LayerNorm's
  double bn_momentum = 0.1;    ///< BatchNorm's running-statistics momentum
};

/// Linear -> [Norm] -> ReLU -> [Norm] -> Dropout: one normalisation, on the side of the
/// ReLU that config.placement says.
struct HiddenBlock {
  Linear linear;
  BatchNorm1d batch_norm;   ///< lesson 04's layer (Norm::batch); default (empty) otherwise
  Tensor ln_weight;         ///< (D) LayerNorm's scale (Norm::layer); empty otherwise
  Tensor ln_bias;           ///< (D) LayerNorm's shift (Norm::layer); empty otherwise
  Relu relu;
  Dropout dropout;

  // Saved by the forward pass in train mode for the backward pass:
  Matrix norm_input;           ///< (B, D) what the normalisation got
  Eigen::VectorXd batch_mean;  ///< (D) BatchNorm: the batch's mean
  Eigen::VectorXd batch_rstd;  ///< (D) BatchNorm: 1 / sqrt(biased batch variance + eps)

  // Filled by the backward pass:
  Eigen::VectorXd dgamma;   ///< (D) BatchNorm: dL/dgamma
  Eigen::VectorXd dbeta;    ///< (D) BatchNorm: dL/dbeta
  Tensor ln_dweight;        ///< (D) LayerNorm: dL/dweight
  Tensor ln_dbias;          ///< (D) LayerNorm: dL/dbias
};

struct Mlp {
  MlpConfig config;
  bool training = true;  ///< the mode the model was last switched to
  HiddenBlock block1;    ///< inputs -> hidden1
  HiddenBlock block2;    ///< hidden1 -> hidden2
  Linear head;           ///< hidden2 -> classes (logits)
};

/// A fresh model: PyTorch's default initialisation for every Linear (weights scaled by
/// `init_scale`, for the `init` experiment), gamma = 1 and beta = 0, running_mean = 0 and
/// running_var = 1, LayerNorm weight 1 and bias 0, Dropout masks seeded from `seed`. The
/// BatchNorm1d fields are set here directly, so a model exists before lesson 04 is done.
inline Mlp make_mlp(const MlpConfig& config, std::uint64_t seed, double init_scale = 1.0) {
  if (config.inputs < 1 || config.hidden1 < 1 || config.hidden2 < 1 || config.classes < 2) {
    throw std::invalid_argument("make_mlp: every layer needs at least one unit and at least two classes");
  }
  Mlp m;
  m.config = config;
  Rng rng(seed, /*stream=*/0x1417);
  auto block = [&](Eigen::Index in, Eigen::Index out, std::uint64_t dropout_stream) {
    HiddenBlock b;
    b.linear = Linear(in, out, rng, init_scale);
    if (config.norm == Norm::batch) {
      BatchNorm1d& bn = b.batch_norm;
      bn.num_features = out;
      bn.options.eps = config.eps;
      bn.options.momentum = config.bn_momentum;
      bn.gamma = Eigen::VectorXd::Ones(out);
      bn.beta = Eigen::VectorXd::Zero(out);
      bn.running_mean = Eigen::VectorXd::Zero(out);
      bn.running_var = Eigen::VectorXd::Ones(out);
    } else if (config.norm == Norm::layer) {
      b.ln_weight = Tensor({out}, Eigen::VectorXd::Ones(out));
      b.ln_bias = Tensor({out}, Eigen::VectorXd::Zero(out));
    }
    b.dropout = Dropout(config.dropout, mix64(seed ^ dropout_stream));
    return b;
  };
  m.block1 = block(config.inputs, config.hidden1, 1);
  m.block2 = block(config.hidden1, config.hidden2, 2);
  m.head = Linear(config.hidden2, config.classes, rng, init_scale);
  return m;
}

/// What SGD updates, in two groups, as the notes recommend:
///   decay:    the Linear weights;
///   no decay: the Linear biases, BatchNorm's gamma and beta, LayerNorm's weight and bias.
/// Decaying gamma pulls every normalised unit's scale toward 0, fighting the very scale
/// the normalisation just fixed; biases and beta are offsets with nothing to regularise.
/// Throws when a gradient is missing or has the wrong size (backward did not fill it).
inline std::vector<Parameter> parameters(Mlp& model) {
  std::vector<Parameter> out;
  auto add = [&](const std::string& name, double* value, Eigen::Index size, const double* grad,
                 Eigen::Index grad_size, bool decay) {
    if (grad_size != size) {
      throw std::invalid_argument(name + " has " + std::to_string(size) + " values but its gradient has " +
                                  std::to_string(grad_size) + " (has the backward pass filled it?)");
    }
    out.push_back(Parameter{name, value, grad, size, decay});
  };
  auto linear = [&](const std::string& name, Linear& l) {
    add(name + ".weight", l.weight.data(), l.weight.size(), l.dweight.data(), l.dweight.size(), true);
    add(name + ".bias", l.bias.data(), l.bias.size(), l.dbias.data(), l.dbias.size(), false);
  };
  auto block = [&](const std::string& name, HiddenBlock& b) {
    linear(name + ".linear", b.linear);
    if (model.config.norm == Norm::batch) {
      add(name + ".batch_norm.gamma", b.batch_norm.gamma.data(), b.batch_norm.gamma.size(), b.dgamma.data(),
          b.dgamma.size(), false);
      add(name + ".batch_norm.beta", b.batch_norm.beta.data(), b.batch_norm.beta.size(), b.dbeta.data(),
          b.dbeta.size(), false);
    } else if (model.config.norm == Norm::layer) {
      add(name + ".layer_norm.weight", b.ln_weight.values().data(), b.ln_weight.numel(),
          b.ln_dweight.values().data(), b.ln_dweight.numel(), false);
      add(name + ".layer_norm.bias", b.ln_bias.values().data(), b.ln_bias.numel(), b.ln_dbias.values().data(),
          b.ln_dbias.numel(), false);
    }
  };
  block("block1", model.block1);
  block("block2", model.block2);
  linear("head", model.head);
  return out;
}

}  // namespace bnkit
