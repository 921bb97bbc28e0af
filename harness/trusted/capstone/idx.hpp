// Reading MNIST-style IDX files (gzip or plain): Fashion-MNIST from Debian's
// dataset-fashion-mnist package, or MNIST, or any folder laid out the same way.
#pragma once

#include "bnkit/nn/data.hpp"

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace bnkit::capstone {

/// A file that cannot be used: missing, unreadable, corrupt, truncated or not IDX. The
/// message names the file and what is wrong with it.
class DataError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The decoded contents of one IDX file of unsigned bytes: its dimensions and values.
struct IdxArray {
  std::vector<std::uint32_t> dims;  ///< (N) for labels, (N, rows, cols) for images
  std::vector<std::uint8_t> values;
};

/// Reads an IDX file of unsigned bytes (type 0x08), gzip-compressed or not.
/// \throws DataError naming the file and the problem.
IdxArray read_idx(const std::string& path);

/// The images (N, rows*cols) scaled to [0, 1] and their labels, from two IDX files.
/// `limit` > 0 keeps the first `limit` samples.
/// \throws DataError for either file, a label count that does not match the images, or a
///         label outside [0, 10).
Dataset load_idx_pair(const std::string& images_path, const std::string& labels_path, long limit = 0);

/// The same two files as bytes, checked exactly as load_idx_pair checks them (dimensions,
/// counts, labels in 0..9), without turning them into doubles: what `./bnkit capstone`
/// validates once and hands to its trainers.
struct IdxSplit {
  std::uint32_t rows = 0, cols = 0;  ///< each image's size
  std::vector<std::uint8_t> images;  ///< (N, rows*cols) row-major
  std::vector<std::uint8_t> labels;  ///< N values in [0, 10)
  Eigen::Index size() const { return static_cast<Eigen::Index>(labels.size()); }
};

/// \throws DataError as load_idx_pair. `limit` > 0 keeps the first `limit` samples.
IdxSplit load_idx_pair_bytes(const std::string& images_path, const std::string& labels_path, long limit = 0);

/// The images scaled to [0, 1] and the labels, as load_idx_pair returns them.
Dataset to_dataset(const IdxSplit& split);

/// The file names of a split in an MNIST-layout folder: split "train" or "t10k", with or
/// without ".gz" (the first that exists).
std::string idx_file(const std::string& dir, const std::string& split, const std::string& kind);

/// load_idx_pair on dir's train (or t10k) images and labels.
Dataset load_split(const std::string& dir, const std::string& split, long limit = 0);

/// load_idx_pair_bytes on dir's train (or t10k) images and labels.
IdxSplit load_split_bytes(const std::string& dir, const std::string& split, long limit = 0);

/// Where Debian's dataset-fashion-mnist package puts the data.
inline constexpr const char* kDebianFashionMnist = "/usr/share/datasets/fashion-mnist";

}  // namespace bnkit::capstone

namespace bnkit::capstone {

/// The graded tests' data: the first 3,000 training and 1,000 test samples of the real
/// Fashion-MNIST, committed in harness/lessons/12_capstone/golden/fashion_mnist_subset/ (made by
/// harness/lessons/12_capstone/golden/make_fashion_subset.py), so grading needs no download and no package.
std::string graded_subset_dir();

}  // namespace bnkit::capstone
