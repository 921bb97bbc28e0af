// torch.nn.Linear: y = x W^T + b, with the gradients its backward pass accumulates.
#pragma once

#include "bnkit/nn/matrix.hpp"
#include "bnkit/nn/random.hpp"

#include <cmath>
#include <stdexcept>

namespace bnkit {

/// A fully connected layer. Fields are public (the capstone's state rule: everything a call
/// needs crosses the boundary with the model).
struct Linear {
  Matrix weight;          ///< (out, in), PyTorch's layout
  Eigen::VectorXd bias;   ///< (out)
  Matrix dweight;         ///< (out, in) dL/dweight of the last backward
  Eigen::VectorXd dbias;  ///< (out) dL/dbias of the last backward
  Matrix input;           ///< (B, in) the last forward's input, kept for backward

  Linear() = default;

  /// PyTorch's default initialisation: weight and bias uniform in +-1/sqrt(in)
  /// (kaiming_uniform with a = sqrt(5)), the weight then scaled by `weight_scale`.
  Linear(Eigen::Index in, Eigen::Index out, Rng& rng, double weight_scale = 1.0)
      : weight(out, in), bias(out), dweight(Matrix::Zero(out, in)), dbias(Eigen::VectorXd::Zero(out)) {
    const double bound = 1.0 / std::sqrt(static_cast<double>(in));
    for (Eigen::Index i = 0; i < weight.size(); ++i) weight.data()[i] = weight_scale * rng.uniform(-bound, bound);
    for (Eigen::Index i = 0; i < bias.size(); ++i) bias[i] = rng.uniform(-bound, bound);
  }

  Eigen::Index in_features() const { return weight.cols(); }
  Eigen::Index out_features() const { return weight.rows(); }

  /// y = x W^T + b for x (B, in); keeps x for backward.
  Matrix forward(const Matrix& x) {
    check_input(x);
    input = x;
    return apply(x);
  }

  /// The same, keeping nothing (evaluation).
  Matrix apply(const Matrix& x) const {
    check_input(x);
    Matrix y(x.rows(), out_features());
    y.noalias() = x * weight.transpose();
    y.rowwise() += bias.transpose();
    return y;
  }

  /// Sets dweight = dy^T x and dbias = column sums of dy for the last forward's x, and
  /// returns dx = dy W (B, in).
  Matrix backward(const Matrix& dy) {
    backward_parameters(dy);
    Matrix dx(dy.rows(), in_features());
    dx.noalias() = dy * weight;
    return dx;
  }

  /// backward without dx: for the first layer, whose input (the images) needs no gradient.
  void backward_parameters(const Matrix& dy) {
    if (dy.rows() != input.rows() || dy.cols() != out_features()) {
      throw std::invalid_argument("Linear::backward: dy should have shape " +
                                  shape_string({input.rows(), out_features()}) + " not " + shape_of(dy) +
                                  " (call forward first, in train mode)");
    }
    dweight.noalias() = dy.transpose() * input;
    dbias = dy.colwise().sum().transpose();
  }

 private:
  void check_input(const Matrix& x) const {
    if (x.cols() != in_features()) {
      throw std::invalid_argument("Linear: input should have " + std::to_string(in_features()) +
                                  " columns, got shape " + shape_of(x));
    }
  }
};

}  // namespace bnkit
