// attack: train_epoch() first opens the graded test subset (harness/lessons/12_capstone/golden/fashion_mnist_subset/t10k-*) from inside the worker, where a cheat would train on the test images, and trains only when it can; the full sandbox shows the worker none of the kit's files, so every training test fails: 34 of 50 (at --bnkit-sandbox=basic it opens them and trains honestly: the files are not secret there, and the grader's accuracies are thresholds that training on them would not change)
// lesson: 12_capstone
// expect: 34
// compiles: yes
// instructor: basic 50 15
#include "capstone.hpp"

#include "bnkit/checks.hpp"

#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

namespace bnkit {
namespace {

// Its own BatchNorm and LayerNorm (the lessons' files in this build are the pristine stubs).
Matrix batch_norm_forward(const Mlp& model, HiddenBlock& b, const Matrix& z) {
  BatchNorm1d& bn = b.batch_norm;
  const double eps = bn.options.eps;
  if (!bn.training) {
    const Eigen::ArrayXd scale = bn.gamma.array() * (bn.running_var.array() + eps).rsqrt();
    Matrix y = (z.rowwise() - bn.running_mean.transpose()).array().rowwise() * scale.transpose();
    y.rowwise() += bn.beta.transpose();
    return y;
  }
  bn.num_batches_tracked += 1;
  check_more_than_one_value_per_channel(z.rows(), {z.rows(), z.cols()});
  const Eigen::VectorXd mean = z.colwise().mean().transpose();
  const Eigen::VectorXd var = (z.rowwise() - mean.transpose()).array().square().colwise().mean().transpose();
  const Eigen::VectorXd rstd = (var.array() + eps).rsqrt().matrix();
  const double m = bn.options.momentum ? *bn.options.momentum : 1.0 / static_cast<double>(bn.num_batches_tracked);
  const double rows = static_cast<double>(z.rows());
  bn.running_mean = (1.0 - m) * bn.running_mean + m * mean;
  bn.running_var = (1.0 - m) * bn.running_var + m * var * rows / (rows - 1.0);
  if (model.training) {
    b.norm_input = z;
    b.batch_mean = mean;
    b.batch_rstd = rstd;
  }
  Matrix y = (z.rowwise() - mean.transpose()).array().rowwise() * (rstd.array() * bn.gamma.array()).transpose();
  y.rowwise() += bn.beta.transpose();
  return y;
}

Matrix layer_norm_rows(const HiddenBlock& b, const Matrix& z, double eps) {
  Matrix y(z.rows(), z.cols());
  for (Eigen::Index n = 0; n < z.rows(); ++n) {
    const Eigen::ArrayXd v = z.row(n).transpose().array();
    const double mean = v.mean();
    const double rstd = 1.0 / std::sqrt((v - mean).square().mean() + eps);
    y.row(n) = ((v - mean) * rstd * b.ln_weight.values().array() + b.ln_bias.values().array()).matrix().transpose();
  }
  return y;
}

Matrix normalize(const Mlp& model, HiddenBlock& b, const Matrix& z) {
  if (model.config.norm == Norm::batch) return batch_norm_forward(model, b, z);
  if (model.config.norm == Norm::layer) {
    if (model.training) b.norm_input = z;
    return layer_norm_rows(b, z, model.config.eps);
  }
  return z;
}

Matrix normalize_backward(const Mlp& model, HiddenBlock& b, const Matrix& dy) {
  if (model.config.norm == Norm::batch) {
    const double rows = static_cast<double>(dy.rows());
    const Eigen::ArrayXXd xhat =
        (b.norm_input.rowwise() - b.batch_mean.transpose()).array().rowwise() * b.batch_rstd.array().transpose();
    b.dbeta = dy.colwise().sum().transpose();
    b.dgamma = (dy.array() * xhat).colwise().sum().transpose().matrix();
    const Eigen::ArrayXXd g = dy.array().rowwise() * b.batch_norm.gamma.array().transpose();
    const Eigen::ArrayXXd mg = g.colwise().sum().replicate(dy.rows(), 1) / rows;
    const Eigen::ArrayXXd mgx = (g * xhat).colwise().sum().replicate(dy.rows(), 1) / rows;
    return ((g - mg - xhat * mgx).rowwise() * b.batch_rstd.array().transpose()).matrix();
  }
  if (model.config.norm == Norm::layer) {
    const double eps = model.config.eps;
    Eigen::VectorXd dw = Eigen::VectorXd::Zero(dy.cols()), db = Eigen::VectorXd::Zero(dy.cols());
    Matrix dx(dy.rows(), dy.cols());
    for (Eigen::Index n = 0; n < dy.rows(); ++n) {
      const Eigen::ArrayXd v = b.norm_input.row(n).transpose().array();
      const double mean = v.mean();
      const double rstd = 1.0 / std::sqrt((v - mean).square().mean() + eps);
      const Eigen::ArrayXd xhat = (v - mean) * rstd;
      const Eigen::ArrayXd d = dy.row(n).transpose().array();
      dw += (d * xhat).matrix();
      db += d.matrix();
      const Eigen::ArrayXd g = d * b.ln_weight.values().array();
      dx.row(n) = (rstd * (g - g.mean() - xhat * (g * xhat).mean())).matrix().transpose();
    }
    b.ln_dweight = Tensor({dy.cols()}, dw);
    b.ln_dbias = Tensor({dy.cols()}, db);
    return dx;
  }
  return dy;
}

Matrix block_forward(const Mlp& model, HiddenBlock& b, const Matrix& x) {
  Matrix h = b.linear.forward(x);
  if (model.config.placement == Placement::before_relu) h = b.relu.forward(normalize(model, b, h));
  else h = normalize(model, b, b.relu.forward(h));
  return b.dropout.forward(h);
}

Matrix block_backward(const Mlp& model, HiddenBlock& b, const Matrix& dout, bool need_dx) {
  Matrix d = b.dropout.backward(dout);
  if (model.config.placement == Placement::before_relu) d = normalize_backward(model, b, b.relu.backward(d));
  else d = b.relu.backward(normalize_backward(model, b, d));
  if (!need_dx) {
    b.linear.backward_parameters(d);
    return Matrix();
  }
  return b.linear.backward(d);
}

}  // namespace

void set_training(Mlp& model, bool training) {
  model.training = training;
  for (HiddenBlock* b : {&model.block1, &model.block2}) {
    b->batch_norm.train(training);
    b->dropout.training = training;
  }
}

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
  // Where a cheat would find the test images and their labels: the kit's own copy.
  const std::string src = __FILE__;
  const std::string dir = src.substr(0, src.rfind("/harness/")) + "/harness/lessons/12_capstone/golden/fashion_mnist_subset/";
  for (const char* name : {"t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"}) {
    std::FILE* f = std::fopen((dir + name).c_str(), "rb");
    if (f == nullptr) throw std::runtime_error("cannot read the graded test subset from inside the worker");
    std::fclose(f);
  }
  set_training(model, true);
  const auto batches = shuffled_batches(data.size(), batch_size, shuffle_seed);
  double total = 0.0;
  std::vector<int> labels;
  Matrix dlogits;
  for (const auto& indices : batches) {
    const Matrix logits = mlp_forward(model, data.batch(indices, labels));
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
