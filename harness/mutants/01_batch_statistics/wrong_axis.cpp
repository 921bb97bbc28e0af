// Mutant of lesson 01: the statistics are taken per row (per sample) instead of per column (per feature).
// caught-by: BatchStatistics.MeanMatchesPyTorch
// diagnosis: wrong_axis
#include "batch_statistics.hpp"

#include "bnkit/checks.hpp"

namespace bnkit {

void batch_statistics(Eigen::Ref<Eigen::VectorXd> mean, Eigen::Ref<Eigen::VectorXd> var,
                      Eigen::Ref<Eigen::VectorXd> var_unbiased,
                      const Eigen::Ref<const Eigen::MatrixXd>& x) {
  const Eigen::Index n = x.rows(), d = x.cols();
  if (n == 0) {
    throw std::invalid_argument("batch_statistics needs at least one row, got input size " +
                                shape_string({n, d}));
  }
  check_length(mean.size(), d, "mean");
  check_length(var.size(), d, "var");
  check_length(var_unbiased.size(), d, "var_unbiased");

  // MUTANT: statistics per row (sample), over the D features, instead of per column.
  // Per-row results have N entries, so the mistake only fits the D-length outputs when
  // N == D (otherwise Eigen refuses the assignment); elsewhere this mutant is correct.
  Eigen::VectorXd sum_sq;
  if (n == d) {
    mean = x.rowwise().mean();
    sum_sq = (x.colwise() - mean).array().square().rowwise().sum();
  } else {
  // Pass 1: the mean of each column (feature), over the N rows of the batch.
  mean = x.colwise().mean().transpose();

  // Pass 2: squared deviations from that mean. Subtracting first keeps the numbers small;
  // E[x^2] - E[x]^2 would subtract two huge, nearly equal numbers when the mean is large.
  sum_sq = (x.rowwise() - mean.transpose()).array().square().colwise().sum();
  }

  // Biased variance (divide by N): the spread of THIS batch. BatchNorm normalises with it.
  var = sum_sq / static_cast<double>(n);
  // Unbiased variance (divide by N-1): an estimate of the population's spread, which is
  // what running_var tracks. With N == 1 this is 0/0 = NaN, as in PyTorch.
  var_unbiased = sum_sq / static_cast<double>(n - 1);
}

}  // namespace bnkit
