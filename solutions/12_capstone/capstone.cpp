// Lesson 12 reference: the course notes' MLP wired with the lessons' BatchNorm.
#include "capstone.hpp"

#include <cmath>

namespace bnkit {

void set_training(Mlp& model, bool training) {
  model.training = training;
  for (HiddenBlock* block : {&model.block1, &model.block2}) {
    block->batch_norm.train(training);
    block->dropout.training = training;
  }
}

namespace {

/// The block's normalisation of z, saving what the backward pass needs in train mode.
Matrix normalize(const Mlp& model, HiddenBlock& block, const Matrix& z) {
  switch (model.config.norm) {
    case Norm::none:
      return z;
    case Norm::batch: {
      if (model.training) {
        block.norm_input = z;
        Eigen::VectorXd var(z.cols()), var_unbiased(z.cols());
        block.batch_mean.resize(z.cols());
        batch_statistics(block.batch_mean, var, var_unbiased, z);
        block.batch_rstd = (var.array() + block.batch_norm.options.eps).rsqrt().matrix();
      }
      return to_matrix(block.batch_norm.forward(to_tensor(z)));
    }
    case Norm::layer:
      if (model.training) block.norm_input = z;
      return to_matrix(layer_norm(to_tensor(z), block.ln_weight, block.ln_bias, model.config.eps));
  }
  return z;
}

/// dL/dz for the normalisation's output gradient dy, filling the block's parameter gradients.
Matrix normalize_backward(const Mlp& model, HiddenBlock& block, const Matrix& dy) {
  switch (model.config.norm) {
    case Norm::none:
      return dy;
    case Norm::batch: {
      Tensor dx;
      batchnorm_backward_fast(dx, block.dgamma, block.dbeta, block.batch_mean, block.batch_rstd, to_tensor(dy),
                              to_tensor(block.norm_input), block.batch_norm.gamma);
      return to_matrix(dx);
    }
    case Norm::layer: {
      LayerNormGrads g = layer_norm_backward(to_tensor(dy), to_tensor(block.norm_input), block.ln_weight,
                                             model.config.eps);
      block.ln_dweight = std::move(g.dweight);
      block.ln_dbias = std::move(g.dbias);
      return to_matrix(g.dx);
    }
  }
  return dy;
}

Matrix block_forward(const Mlp& model, HiddenBlock& block, const Matrix& x) {
  Matrix h = block.linear.forward(x);
  if (model.config.placement == Placement::before_relu) {
    h = block.relu.forward(normalize(model, block, h));
  } else {
    h = normalize(model, block, block.relu.forward(h));
  }
  return block.dropout.forward(h);
}

/// dL/d(block input), or nothing for the first block (its input is the images).
Matrix block_backward(const Mlp& model, HiddenBlock& block, const Matrix& dout, bool need_input_gradient) {
  Matrix d = block.dropout.backward(dout);
  if (model.config.placement == Placement::before_relu) {
    d = normalize_backward(model, block, block.relu.backward(d));
  } else {
    d = block.relu.backward(normalize_backward(model, block, d));
  }
  if (!need_input_gradient) {
    block.linear.backward_parameters(d);
    return Matrix();
  }
  return block.linear.backward(d);
}

}  // namespace

Matrix mlp_forward(Mlp& model, const Matrix& x) {
  Matrix h = block_forward(model, model.block1, x);
  h = block_forward(model, model.block2, h);
  return model.head.forward(h);
}

void mlp_backward(Mlp& model, const Matrix& dlogits) {
  Matrix d = model.head.backward(dlogits);
  d = block_backward(model, model.block2, d, true);
  block_backward(model, model.block1, d, false);
}

double train_epoch(Mlp& model, Sgd& optimizer, const Dataset& data, Eigen::Index batch_size,
                   std::uint64_t shuffle_seed) {
  set_training(model, true);
  double total = 0.0;
  const auto batches = shuffled_batches(data.size(), batch_size, shuffle_seed);
  std::vector<int> labels;
  Matrix dlogits;
  for (const auto& indices : batches) {
    const Matrix x = data.batch(indices, labels);
    const Matrix logits = mlp_forward(model, x);
    total += softmax_cross_entropy(logits, labels, dlogits);
    mlp_backward(model, dlogits);
    optimizer.step(parameters(model));
  }
  return batches.empty() ? 0.0 : total / static_cast<double>(batches.size());
}

double evaluate(Mlp& model, const Dataset& data, Eigen::Index batch_size) {
  set_training(model, false);
  if (data.size() == 0) return 0.0;
  Eigen::Index correct = 0;
  std::vector<int> labels;
  for (const auto& indices : ordered_batches(data.size(), batch_size)) {
    const std::vector<int> predicted = predictions(mlp_forward(model, data.batch(indices, labels)));
    for (std::size_t i = 0; i < predicted.size(); ++i) correct += predicted[i] == labels[i];
  }
  return static_cast<double>(correct) / static_cast<double>(data.size());
}

}  // namespace bnkit
