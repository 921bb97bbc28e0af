// Mutant of lesson 01: the biased variance is computed in one pass as mean(x^2) - mean(x)^2.
// caught-by: BatchStatistics.StableAtLargeOffset
// diagnosis: naive_one_pass_variance
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

  // Pass 1: the mean of each column (feature), over the N rows of the batch.
  mean = x.colwise().mean().transpose();

  // Pass 2: squared deviations from that mean. Subtracting first keeps the numbers small;
  // E[x^2] - E[x]^2 would subtract two huge, nearly equal numbers when the mean is large.
  const Eigen::VectorXd sum_sq = (x.rowwise() - mean.transpose()).array().square().colwise().sum();

  // Biased variance (divide by N): the spread of THIS batch. BatchNorm normalises with it.
  // MUTANT: one pass, E[x^2] - E[x]^2, instead of the centred sum of squares.
  var = (x.array().square().colwise().mean().transpose() - mean.array().square()).matrix();
  // Unbiased variance (divide by N-1): an estimate of the population's spread, which is
  // what running_var tracks. With N == 1 this is 0/0 = NaN, as in PyTorch.
  var_unbiased = sum_sq / static_cast<double>(n - 1);
}

}  // namespace bnkit
