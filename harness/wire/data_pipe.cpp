#include "data_pipe.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <sstream>

namespace bnkit::capstone {

std::string data_pipe_header(const IdxSplit& train, const IdxSplit& test) {
  std::ostringstream s;
  s << kDataPipeMagic << ' ' << train.size() << ' ' << test.size() << ' ' << train.rows << ' ' << train.cols << '\n';
  return s.str();
}

namespace {

void read_all(int fd, std::uint8_t* out, std::size_t n) {
  std::size_t done = 0;
  while (done < n) {
    const ssize_t r = read(fd, out + done, n - done);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) throw DataError("the data stream ended after " + std::to_string(done) + " of " + std::to_string(n) + " bytes");
    done += static_cast<std::size_t>(r);
  }
}

}  // namespace

void read_data_pipe(int fd, IdxSplit& train, IdxSplit& test) {
  std::string header;
  for (char c = 0; header.size() < 200;) {
    const ssize_t r = read(fd, &c, 1);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) throw DataError("the data stream ended in its header");
    if (c == '\n') break;
    header += c;
  }
  std::istringstream s(header);
  std::string word, version;
  long long n_train = -1, n_test = -1, rows = -1, cols = -1;
  s >> word >> version >> n_train >> n_test >> rows >> cols;
  if (!s || word + " " + version != kDataPipeMagic || n_train < 0 || n_test < 0 || rows < 1 || cols < 1 ||
      n_train > 10000000 || n_test > 10000000 || rows > 4096 || cols > 4096) {
    throw DataError("not a bnkit data stream: '" + header + "'");
  }
  for (auto [split, n] : {std::pair<IdxSplit*, long long>{&train, n_train}, {&test, n_test}}) {
    split->rows = static_cast<std::uint32_t>(rows);
    split->cols = static_cast<std::uint32_t>(cols);
    split->images.resize(static_cast<std::size_t>(n * rows * cols));
    split->labels.resize(static_cast<std::size_t>(n));
    read_all(fd, split->images.data(), split->images.size());
    read_all(fd, split->labels.data(), split->labels.size());
    for (const std::uint8_t label : split->labels) {
      if (label > 9) throw DataError("the data stream holds a label " + std::to_string(label));
    }
  }
}

}  // namespace bnkit::capstone
