// torch.nn.Dropout: in train mode each value is zeroed with probability p and the survivors
// are scaled by 1/(1-p) (inverted dropout), so eval mode is the identity and needs no
// rescaling. The mask of forward call k is drawn from (seed, k): reproducible, and the
// layer's whole random state is two integers.
#pragma once

#include "bnkit/nn/matrix.hpp"
#include "bnkit/nn/random.hpp"

#include <cstdint>
#include <stdexcept>

namespace bnkit {

struct Dropout {
  double p = 0.0;            ///< probability of zeroing a value, in [0, 1)
  bool training = true;      ///< train mode drops; eval mode is the identity
  std::uint64_t seed = 0;    ///< with `calls`, picks the next mask
  std::uint64_t calls = 0;   ///< train-mode forwards so far
  Matrix mask;               ///< the last train-mode forward's mask: 0 or 1/(1-p); empty in eval

  Dropout() = default;
  Dropout(double probability, std::uint64_t mask_seed) : p(probability), seed(mask_seed) {
    if (!(p >= 0.0 && p < 1.0)) throw std::invalid_argument("dropout probability has to be in [0, 1), got " + std::to_string(p));
  }

  Matrix forward(const Matrix& x) {
    if (!training || p == 0.0) {
      mask.resize(0, 0);
      return x;
    }
    const double keep_scale = 1.0 / (1.0 - p);
    mask.resize(x.rows(), x.cols());
    for (Eigen::Index i = 0; i < mask.size(); ++i)
      mask.data()[i] = uniform01(seed, calls, static_cast<std::uint64_t>(i)) < p ? 0.0 : keep_scale;
    ++calls;
    return x.cwiseProduct(mask);
  }

  /// dx = dy * mask (dy itself after an identity forward).
  Matrix backward(const Matrix& dy) const {
    if (mask.size() == 0) return dy;
    if (dy.rows() != mask.rows() || dy.cols() != mask.cols()) {
      throw std::invalid_argument("Dropout::backward: dy should have shape " + shape_of(mask) + " not " +
                                  shape_of(dy) + " (call forward first)");
    }
    return dy.cwiseProduct(mask);
  }
};

}  // namespace bnkit
