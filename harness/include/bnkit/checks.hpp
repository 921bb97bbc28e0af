// Input checks with PyTorch's error messages, for the lessons to call.
//
// Every check throws std::invalid_argument whose message names the problem and the
// shapes involved, e.g. "gamma should contain 3 elements not 4".
#pragma once

#include <Eigen/Core>

#include <stdexcept>
#include <string>
#include <vector>

namespace bnkit {

/// "[4, 3]": a shape the way PyTorch prints it.
inline std::string shape_string(const std::vector<Eigen::Index>& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) s += ", ";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

/// Throws unless `actual` == `expected`: "<name> should contain <expected> elements not <actual>".
inline void check_length(Eigen::Index actual, Eigen::Index expected, const std::string& name) {
  if (actual != expected) {
    throw std::invalid_argument(name + " should contain " + std::to_string(expected) +
                                " elements not " + std::to_string(actual));
  }
}

/// Throws unless the matrix is rows x cols: "<name> should have shape [r, c] not [r', c']".
inline void check_shape(const Eigen::Ref<const Eigen::MatrixXd>& m, Eigen::Index rows,
                        Eigen::Index cols, const std::string& name) {
  if (m.rows() != rows || m.cols() != cols) {
    throw std::invalid_argument(name + " should have shape " + shape_string({rows, cols}) +
                                " not " + shape_string({m.rows(), m.cols()}));
  }
}

/// Throws unless the input has rank 2 or 3 (BatchNorm1d's inputs):
/// "expected 2D or 3D input (got 4D input)", as PyTorch says it.
inline void check_rank_2_or_3(const std::vector<Eigen::Index>& input_shape) {
  if (input_shape.size() != 2 && input_shape.size() != 3) {
    throw std::invalid_argument("expected 2D or 3D input (got " +
                                std::to_string(input_shape.size()) + "D input)");
  }
}

/// Throws unless the input has rank 4, (N,C,H,W) (BatchNorm2d's inputs):
/// "expected 4D input (got 3D input)", as PyTorch says it.
inline void check_rank_4(const std::vector<Eigen::Index>& input_shape) {
  if (input_shape.size() != 4) {
    throw std::invalid_argument("expected 4D input (got " + std::to_string(input_shape.size()) +
                                "D input)");
  }
}

/// Throws unless a tensor's shape is `expected` (a gradient has its input's shape):
/// "dy should have shape [2, 3, 4, 4] not [2, 3, 4]".
inline void check_same_shape(const std::vector<Eigen::Index>& actual,
                             const std::vector<Eigen::Index>& expected, const std::string& name) {
  if (actual != expected) {
    throw std::invalid_argument(name + " should have shape " + shape_string(expected) + " not " +
                                shape_string(actual));
  }
}

/// Throws unless dim 1 of the input (the channel axis) is `channels`:
/// "expected 3 channels (dim 1), got input size [2, 4]".
inline void check_channels(const std::vector<Eigen::Index>& input_shape, Eigen::Index channels) {
  if (input_shape.size() < 2 || input_shape[1] != channels) {
    throw std::invalid_argument("expected " + std::to_string(channels) +
                                " channels (dim 1), got input size " + shape_string(input_shape));
  }
}

/// Train mode needs at least two values per channel to estimate a variance (PyTorch's
/// check): throws "Expected more than 1 value per channel when training, got input size [1, 3]".
inline void check_more_than_one_value_per_channel(Eigen::Index values_per_channel,
                                                  const std::vector<Eigen::Index>& input_shape) {
  if (values_per_channel == 1) {
    throw std::invalid_argument(
        "Expected more than 1 value per channel when training, got input size " +
        shape_string(input_shape));
  }
}

}  // namespace bnkit
