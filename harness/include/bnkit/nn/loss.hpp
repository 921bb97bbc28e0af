// Softmax cross-entropy, mean over the batch (torch.nn.functional.cross_entropy).
#pragma once

#include "bnkit/nn/matrix.hpp"

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

namespace bnkit {

/// The mean over the batch of -log softmax(logits)[label], and its gradient in dlogits:
/// (softmax(logits) - onehot(label)) / B. Subtracting each row's maximum first keeps exp()
/// finite for any logits (the log-sum-exp trick).
/// \param logits (B, K). \param labels B values in [0, K). \param[out] dlogits (B, K).
inline double softmax_cross_entropy(const Matrix& logits, const std::vector<int>& labels, Matrix& dlogits) {
  const Eigen::Index batch = logits.rows(), classes = logits.cols();
  if (static_cast<Eigen::Index>(labels.size()) != batch || batch == 0) {
    throw std::invalid_argument("softmax_cross_entropy: " + std::to_string(labels.size()) +
                                " labels for logits of shape " + shape_of(logits));
  }
  dlogits.resize(batch, classes);
  double total = 0.0;
  for (Eigen::Index n = 0; n < batch; ++n) {
    const int label = labels[static_cast<std::size_t>(n)];
    if (label < 0 || label >= classes) {
      throw std::invalid_argument("softmax_cross_entropy: label " + std::to_string(label) + " is not in [0, " +
                                  std::to_string(classes) + ")");
    }
    const double top = logits.row(n).maxCoeff();
    dlogits.row(n) = (logits.row(n).array() - top).exp();
    const double sum = dlogits.row(n).sum();
    total += std::log(sum) - (logits(n, label) - top);
    dlogits.row(n) /= sum;
    dlogits(n, label) -= 1.0;
  }
  dlogits /= static_cast<double>(batch);
  return total / static_cast<double>(batch);
}

/// The index of each row's largest logit (the first one on a tie).
inline std::vector<int> predictions(const Matrix& logits) {
  std::vector<int> out(static_cast<std::size_t>(logits.rows()));
  for (Eigen::Index n = 0; n < logits.rows(); ++n) {
    Eigen::Index best = 0;
    logits.row(n).maxCoeff(&best);
    out[static_cast<std::size_t>(n)] = static_cast<int>(best);
  }
  return out;
}

}  // namespace bnkit
