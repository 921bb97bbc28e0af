// A small N-d tensor in PyTorch's memory layout (row-major, contiguous), for the lessons
// whose inputs have more than two axes: (N,C,L) now, (N,C,H,W) later.
//
// Shape legend used across the kit: N = batch, C = channels (features), L = length,
// H, W = height, width. D is used for the feature count of an (N,D) matrix.
#pragma once

#include "bnkit/checks.hpp"

#include <Eigen/Core>

#include <numeric>
#include <stdexcept>
#include <vector>

namespace bnkit {

using Index = Eigen::Index;

/// Channel c of an (N,C,L) tensor seen as an L x N matrix: column n holds x[n, c, :].
/// (PyTorch's layout puts x[n, c, l] at n*C*L + c*L + l, so the columns are C*L apart.)
using ChannelView = Eigen::Map<Eigen::MatrixXd, 0, Eigen::OuterStride<>>;
using ConstChannelView = Eigen::Map<const Eigen::MatrixXd, 0, Eigen::OuterStride<>>;

class Tensor {
 public:
  Tensor() = default;

  /// A tensor of the given shape, filled with zeros.
  explicit Tensor(std::vector<Index> shape)
      : shape_(std::move(shape)), values_(Eigen::VectorXd::Zero(count(shape_))) {}

  /// A tensor of the given shape holding `values` in row-major order.
  Tensor(std::vector<Index> shape, Eigen::VectorXd values)
      : shape_(std::move(shape)), values_(std::move(values)) {
    if (values_.size() != count(shape_)) {
      throw std::invalid_argument("a tensor of shape " + shape_string(shape_) + " needs " +
                                  std::to_string(count(shape_)) + " values, got " +
                                  std::to_string(values_.size()));
    }
  }

  const std::vector<Index>& shape() const { return shape_; }
  int rank() const { return static_cast<int>(shape_.size()); }
  Index dim(int axis) const { return shape_.at(static_cast<std::size_t>(axis)); }
  Index numel() const { return values_.size(); }

  /// All values, row-major (PyTorch's order).
  Eigen::VectorXd& values() { return values_; }
  const Eigen::VectorXd& values() const { return values_; }

  /// Element access for rank 2 (n, c) and rank 3 (n, c, l) tensors.
  double& operator()(Index n, Index c, Index l = 0) { return values_[offset(n, c, l)]; }
  double operator()(Index n, Index c, Index l = 0) const { return values_[offset(n, c, l)]; }

  /// Channel c of a rank 2 or 3 tensor as an L x N matrix (L = 1 for rank 2).
  ChannelView channel(Index c) {
    return ChannelView(values_.data() + c * length(), length(), dim(0),
                       Eigen::OuterStride<>(dim(1) * length()));
  }
  ConstChannelView channel(Index c) const {
    return ConstChannelView(values_.data() + c * length(), length(), dim(0),
                            Eigen::OuterStride<>(dim(1) * length()));
  }

 private:
  static Index count(const std::vector<Index>& shape) {
    return std::accumulate(shape.begin(), shape.end(), Index{1},
                           [](Index a, Index b) { return a * b; });
  }
  /// L of an (N,C,L) tensor, 1 for an (N,C) one.
  Index length() const { return rank() >= 3 ? dim(2) : 1; }
  Index offset(Index n, Index c, Index l) const {
    return (n * dim(1) + c) * length() + l;
  }

  std::vector<Index> shape_;
  Eigen::VectorXd values_;
};

}  // namespace bnkit
