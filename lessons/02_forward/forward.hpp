/// \file
/// Lesson 02 contract: the train-mode forward pass. Do not edit; complete forward.cpp.
///
/// Shapes: N = batch size (rows of x), D = features (columns of x).
#pragma once

#include <Eigen/Core>

namespace bnkit {

/// What the forward pass keeps for the backward pass (lesson 05).
struct ForwardCache {
  Eigen::MatrixXd xhat;  ///< (N,D) the normalised input, (x - mean) * rstd
  Eigen::VectorXd mean;  ///< (D) batch mean
  Eigen::VectorXd rstd;  ///< (D) 1 / sqrt(biased batch variance + eps)
};

/// Train-mode BatchNorm forward: y = gamma * (x - mean) / sqrt(var + eps) + beta, with the
/// batch's own mean and biased variance, per feature (column).
///
/// \param[out] y      (N,D) the output, sized by the caller.
/// \param[out] cache  resized and filled with xhat (N,D), mean (D), rstd (D).
/// \param[in]  x      (N,D) the batch.
/// \param[in]  gamma  (D) scale (PyTorch calls it weight).
/// \param[in]  beta   (D) shift (PyTorch calls it bias).
/// \param[in]  eps    added to the variance inside the square root.
/// \throws std::invalid_argument, checked in this order and before y or the cache is
///         written (a refused call leaves both as they were):
///         1. gamma, then beta, of a length other than D: "gamma should contain 3 elements not 4";
///         2. y of a shape other than (N,D): "y should have shape [5, 3] not [4, 3]";
///         3. N == 1, PyTorch's "Expected more than 1 value per channel when training, got
///            input size [1, 3]".
///         The wording is fixed (the grader compares it); the numbers come from the call.
void batchnorm_forward(Eigen::Ref<Eigen::MatrixXd> y, ForwardCache& cache,
                       const Eigen::Ref<const Eigen::MatrixXd>& x,
                       const Eigen::Ref<const Eigen::VectorXd>& gamma,
                       const Eigen::Ref<const Eigen::VectorXd>& beta, double eps = 1e-5);

}  // namespace bnkit
