// A labelled image set in memory, and the order a training epoch visits it in.
#pragma once

#include "bnkit/nn/matrix.hpp"
#include "bnkit/nn/random.hpp"

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

namespace bnkit {

/// Images as rows of pixels scaled to [0, 1] (N, 28*28), and their labels.
struct Dataset {
  Matrix images;            ///< (N, D)
  std::vector<int> labels;  ///< N values in [0, 10)

  Eigen::Index size() const { return images.rows(); }

  /// The rows `indices`, in that order, as a batch (B, D), with their labels.
  Matrix batch(const std::vector<Eigen::Index>& indices, std::vector<int>& batch_labels) const {
    Matrix x(static_cast<Eigen::Index>(indices.size()), images.cols());
    batch_labels.resize(indices.size());
    for (std::size_t b = 0; b < indices.size(); ++b) {
      x.row(static_cast<Eigen::Index>(b)) = images.row(indices[b]);
      batch_labels[b] = labels[static_cast<std::size_t>(indices[b])];
    }
    return x;
  }
};

/// One epoch's batches: a permutation of 0..n-1 drawn from `seed` (Fisher-Yates), cut into
/// batches of batch_size; the last one may be smaller. A last batch of ONE sample is
/// dropped: BatchNorm cannot train on it (PyTorch raises "Expected more than 1 value per
/// channel when training").
inline std::vector<std::vector<Eigen::Index>> shuffled_batches(Eigen::Index n, Eigen::Index batch_size,
                                                               std::uint64_t seed) {
  if (batch_size < 1) throw std::invalid_argument("batch size has to be at least 1, got " + std::to_string(batch_size));
  std::vector<Eigen::Index> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), Eigen::Index{0});
  Rng rng(seed, /*stream=*/0x5eed);
  for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
  std::vector<std::vector<Eigen::Index>> batches;
  for (Eigen::Index start = 0; start < n; start += batch_size) {
    const Eigen::Index end = std::min(n, start + batch_size);
    if (end - start == 1 && batch_size > 1) break;
    batches.emplace_back(order.begin() + start, order.begin() + end);
  }
  return batches;
}

/// Batches in the data's own order (evaluation: no shuffling, nothing dropped).
inline std::vector<std::vector<Eigen::Index>> ordered_batches(Eigen::Index n, Eigen::Index batch_size) {
  if (batch_size < 1) throw std::invalid_argument("batch size has to be at least 1, got " + std::to_string(batch_size));
  std::vector<std::vector<Eigen::Index>> batches;
  for (Eigen::Index start = 0; start < n; start += batch_size) {
    std::vector<Eigen::Index> b(static_cast<std::size_t>(std::min(n, start + batch_size) - start));
    std::iota(b.begin(), b.end(), start);
    batches.push_back(std::move(b));
  }
  return batches;
}

}  // namespace bnkit
