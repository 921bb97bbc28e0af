// max(0, x) and its gradient.
#pragma once

#include "bnkit/nn/matrix.hpp"

#include <stdexcept>

namespace bnkit {

struct Relu {
  Matrix input;  ///< the last forward's input: backward passes dy where input > 0

  Matrix forward(const Matrix& x) {
    input = x;
    return x.cwiseMax(0.0);
  }

  /// dx = dy where the input was positive, 0 elsewhere (PyTorch's choice at exactly 0).
  Matrix backward(const Matrix& dy) const {
    if (dy.rows() != input.rows() || dy.cols() != input.cols()) {
      throw std::invalid_argument("Relu::backward: dy should have shape " + shape_of(input) + " not " +
                                  shape_of(dy) + " (call forward first)");
    }
    return (input.array() > 0.0).select(dy, 0.0);
  }
};

}  // namespace bnkit
