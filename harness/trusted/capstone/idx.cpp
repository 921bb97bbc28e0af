// IDX (LeCun's MNIST format): a 4-byte magic 0x0000TTNN (TT the value type, NN the number of
// dimensions), NN big-endian 32-bit sizes, then the values row-major. zlib's gzread reads
// gzip and plain files alike.
#include "idx.hpp"

#include <zlib.h>

#include <sys/stat.h>

#include <algorithm>
#include <cstring>
#include <memory>

namespace bnkit::capstone {
namespace {

struct GzCloser {
  void operator()(gzFile f) const { gzclose(f); }
};
using GzFile = std::unique_ptr<std::remove_pointer_t<gzFile>, GzCloser>;

[[noreturn]] void fail(const std::string& path, const std::string& what) { throw DataError(path + ": " + what); }

/// Reads exactly n bytes or fails, telling a truncated file from a corrupt one.
void read_exact(gzFile f, const std::string& path, void* out, std::size_t n, const char* part) {
  std::size_t got = 0;
  while (got < n) {
    const unsigned chunk = static_cast<unsigned>(std::min<std::size_t>(n - got, 1u << 30));
    const int r = gzread(f, static_cast<char*>(out) + got, chunk);
    if (r < 0) {
      int code = 0;
      const char* message = gzerror(f, &code);
      fail(path, std::string("corrupt gzip data (") + (message ? message : "zlib error") + ") in the " + part);
    }
    if (r == 0) {
      int code = 0;
      const char* message = gzerror(f, &code);
      if (code != Z_OK && code != Z_BUF_ERROR) fail(path, std::string("corrupt gzip data (") + message + ")");
      fail(path, "truncated: the " + std::string(part) + " needs " + std::to_string(n) + " bytes, the file ends after " +
                     std::to_string(got));
    }
    got += static_cast<std::size_t>(r);
  }
}

std::uint32_t big_endian(const unsigned char* b) {
  return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) | b[3];
}

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

}  // namespace

IdxArray read_idx(const std::string& path) {
  if (!exists(path)) fail(path, "no such file");
  GzFile f(gzopen(path.c_str(), "rb"));
  if (!f) fail(path, std::string("cannot open it (") + std::strerror(errno) + ")");
  unsigned char magic[4];
  read_exact(f.get(), path, magic, 4, "header");
  if (magic[0] != 0 || magic[1] != 0) fail(path, "not an IDX file (its first two bytes are not zero)");
  if (magic[2] != 0x08) fail(path, "an IDX file of value type 0x" + std::to_string(magic[2]) + ", not unsigned bytes (0x08)");
  if (magic[3] < 1 || magic[3] > 3) fail(path, "an IDX file with " + std::to_string(magic[3]) + " dimensions (1 to 3 expected)");
  IdxArray out;
  std::uint64_t count = 1;
  for (int d = 0; d < magic[3]; ++d) {
    unsigned char size[4];
    read_exact(f.get(), path, size, 4, "header");
    out.dims.push_back(big_endian(size));
    count *= out.dims.back();
    if (count > (std::uint64_t{1} << 32)) fail(path, "its header claims more than 4 GiB of values");
  }
  // Grown as the bytes arrive: a header that claims gigabytes in a small (truncated or
  // forged) file fails as truncated instead of allocating them first.
  constexpr std::uint64_t kChunk = std::uint64_t{64} << 20;
  for (std::uint64_t done = 0; done < count;) {
    const std::uint64_t n = std::min(kChunk, count - done);
    out.values.resize(static_cast<std::size_t>(done + n));
    try {
      read_exact(f.get(), path, out.values.data() + done, static_cast<std::size_t>(n), "values its header announces");
    } catch (const DataError&) {
      if (n == count - done && done == 0) throw;
      // Name the whole size the header announces, not this chunk's.
      int code = 0;
      gzerror(f.get(), &code);
      if (code != Z_OK && code != Z_BUF_ERROR) throw;
      fail(path, "truncated: the values its header announces need " + std::to_string(count) +
                     " bytes, the file ends sooner");
    }
    done += n;
  }
  char extra;
  if (gzread(f.get(), &extra, 1) > 0) fail(path, "more bytes than its header announces (not an IDX file?)");
  return out;
}

IdxSplit load_idx_pair_bytes(const std::string& images_path, const std::string& labels_path, long limit) {
  IdxArray images = read_idx(images_path);
  IdxArray labels = read_idx(labels_path);
  if (images.dims.size() != 3) fail(images_path, "expected images (N, rows, cols), got " + std::to_string(images.dims.size()) + " dimensions");
  if (labels.dims.size() != 1) fail(labels_path, "expected labels (N), got " + std::to_string(labels.dims.size()) + " dimensions");
  if (images.dims[0] != labels.dims[0]) {
    throw DataError(labels_path + " has " + std::to_string(labels.dims[0]) + " labels but " + images_path + " has " +
                    std::to_string(images.dims[0]) + " images");
  }
  std::size_t n = images.dims[0];
  if (limit > 0 && static_cast<std::size_t>(limit) < n) n = static_cast<std::size_t>(limit);
  const std::size_t pixels = std::size_t{images.dims[1]} * images.dims[2];
  for (std::size_t i = 0; i < n; ++i) {
    const int label = labels.values[i];
    if (label > 9) fail(labels_path, "label " + std::to_string(label) + " at position " + std::to_string(i) + " is not a class in 0..9");
  }
  IdxSplit out;
  out.rows = images.dims[1];
  out.cols = images.dims[2];
  images.values.resize(n * pixels);
  labels.values.resize(n);
  out.images = std::move(images.values);
  out.labels = std::move(labels.values);
  return out;
}

Dataset to_dataset(const IdxSplit& split) {
  const Eigen::Index n = split.size();
  const Eigen::Index pixels = Eigen::Index{split.rows} * split.cols;
  Dataset data;
  data.images.resize(n, pixels);
  data.labels.resize(static_cast<std::size_t>(n));
  for (Eigen::Index i = 0; i < n; ++i) {
    data.labels[static_cast<std::size_t>(i)] = split.labels[static_cast<std::size_t>(i)];
    for (Eigen::Index p = 0; p < pixels; ++p)
      data.images(i, p) = split.images[static_cast<std::size_t>(i * pixels + p)] / 255.0;
  }
  return data;
}

Dataset load_idx_pair(const std::string& images_path, const std::string& labels_path, long limit) {
  return to_dataset(load_idx_pair_bytes(images_path, labels_path, limit));
}

std::string idx_file(const std::string& dir, const std::string& split, const std::string& kind) {
  const std::string base = dir + "/" + split + "-" + kind + (kind == "images" ? "-idx3-ubyte" : "-idx1-ubyte");
  if (exists(base + ".gz")) return base + ".gz";
  if (exists(base)) return base;
  throw DataError(dir + ": no " + split + " " + kind + " (looked for " + base + ".gz and " + base + ")");
}

IdxSplit load_split_bytes(const std::string& dir, const std::string& split, long limit) {
  const std::string images = idx_file(dir, split, "images");  // images first: the error names them
  const std::string labels = idx_file(dir, split, "labels");
  return load_idx_pair_bytes(images, labels, limit);
}

Dataset load_split(const std::string& dir, const std::string& split, long limit) {
  const std::string images = idx_file(dir, split, "images");  // images first: the error names them
  const std::string labels = idx_file(dir, split, "labels");
  return load_idx_pair(images, labels, limit);
}

}  // namespace bnkit::capstone

namespace bnkit::capstone {

std::string graded_subset_dir() { return BNKIT_GRADED_SUBSET_DIR; }

}  // namespace bnkit::capstone
