// attack: correct, except that the 16x3 batch near 1e8 recurses without end (stack overflow): only StableAtLargeOffset (3) is lost
// lesson: 01_batch_statistics
// expect: 15
// compiles: yes
#include "batch_statistics.hpp"

#include "bnkit/checks.hpp"

namespace {

// Keeps a frame of 1 KiB per level live, so the compiler cannot turn it into a loop.
#pragma GCC diagnostic ignored "-Winfinite-recursion"  // the point of the attack
double descend(double depth) {
  volatile char frame[1024];
  frame[0] = static_cast<char>(depth);
  return descend(depth + 1) + frame[0];
}

}  // namespace

namespace bnkit {

void batch_statistics(Eigen::Ref<Eigen::VectorXd> mean, Eigen::Ref<Eigen::VectorXd> var,
                      Eigen::Ref<Eigen::VectorXd> var_unbiased,
                      const Eigen::Ref<const Eigen::MatrixXd>& x) {
  if (x.rows() == 16 && x.cols() == 3) mean[0] = descend(0);
  const Eigen::Index n = x.rows(), d = x.cols();
  if (n == 0) throw std::invalid_argument("batch_statistics needs at least one row, got input size " + shape_string({n, d}));
  check_length(mean.size(), d, "mean");
  check_length(var.size(), d, "var");
  check_length(var_unbiased.size(), d, "var_unbiased");
  mean = x.colwise().mean().transpose();
  const Eigen::VectorXd ss = (x.rowwise() - mean.transpose()).array().square().colwise().sum().transpose();
  var = ss / static_cast<double>(n);
  var_unbiased = ss / static_cast<double>(n - 1);
}

}  // namespace bnkit
