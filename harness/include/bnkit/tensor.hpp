// A small N-d tensor in PyTorch's memory layout (row-major, contiguous), for the lessons
// whose inputs have more than two axes: (N,C,L) for BatchNorm1d, (N,C,H,W) for BatchNorm2d.
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
/// For an (N,C,H,W) tensor the same view is (H*W) x N: column n holds the H x W plane
/// x[n, c, :, :] row by row (x[n, c, h, w] in row h*W + w), and the columns are C*H*W apart.
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

  /// Element access for rank 2 (n, c) and rank 3 (n, c, l) tensors. (On a rank 4 tensor,
  /// l is the flat position h*W + w within the plane.)
  double& operator()(Index n, Index c, Index l = 0) { return values_[offset(n, c, l)]; }
  double operator()(Index n, Index c, Index l = 0) const { return values_[offset(n, c, l)]; }

  /// Element access for rank 4 (n, c, h, w) tensors (NCHW): x[n, c, h, w] is at
  /// ((n*C + c)*H + h)*W + w.
  double& operator()(Index n, Index c, Index h, Index w) { return values_[offset(n, c, h * dim(3) + w)]; }
  double operator()(Index n, Index c, Index h, Index w) const { return values_[offset(n, c, h * dim(3) + w)]; }

  /// Channel c as an S x N matrix: S = 1 for rank 2, L for rank 3, H*W for rank 4. Column n
  /// holds every value of sample n in channel c, so the view holds all N*S of the channel.
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
  /// Values per (sample, channel) pair: L of an (N,C,L) tensor, H*W of an (N,C,H,W) one,
  /// 1 of an (N,C) one.
  Index length() const {
    Index s = 1;
    for (std::size_t axis = 2; axis < shape_.size(); ++axis) s *= shape_[axis];
    return s;
  }
  Index offset(Index n, Index c, Index l) const {
    return (n * dim(1) + c) * length() + l;
  }

  std::vector<Index> shape_;
  Eigen::VectorXd values_;
};

}  // namespace bnkit
