// The capstone's activations: one sample per row, as PyTorch stores a batch (B, D). Row-major,
// so a batch's rows are contiguous and a Tensor of shape (B, D) shares their order.
#pragma once

#include "bnkit/tensor.hpp"

#include <Eigen/Core>

#include <string>

namespace bnkit {

/// A batch of activations or a weight matrix, row-major: (B, D) or (out, in).
using Matrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// The (B, D) tensor with m's values, for the lessons' functions that take a Tensor.
inline Tensor to_tensor(const Matrix& m) {
  return Tensor({m.rows(), m.cols()}, Eigen::Map<const Eigen::VectorXd>(m.data(), m.size()));
}

/// The (B, D) matrix with t's values; t must have rank 2.
inline Matrix to_matrix(const Tensor& t) {
  if (t.rank() != 2) {
    throw std::invalid_argument("to_matrix needs a rank 2 tensor, got shape " + shape_string(t.shape()));
  }
  return Eigen::Map<const Matrix>(t.values().data(), t.dim(0), t.dim(1));
}

/// "[32, 128]", for error messages.
inline std::string shape_of(const Matrix& m) { return shape_string({m.rows(), m.cols()}); }

}  // namespace bnkit
