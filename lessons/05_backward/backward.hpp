/// \file
/// Lesson 05 contract: the train-mode backward pass, node by node. Do not edit; complete
/// backward.cpp.
///
/// Shapes: N = batch, C = channels (features), L = length. x is (N,C) or (N,C,L); a
/// channel's statistics run over its M = N * L values (M = N for (N,C)). "x's shape" below
/// means (N,C) or (N,C,L), whichever x has. Per-channel vectors are (C).
///
/// The forward graph, one node per line (the names of the fields below):
///
///     mean = sum(x) / M                   (C)          over N and L
///     xc   = x - mean                     x's shape    the centred input
///     var  = sum(xc^2) / M                (C)          biased: this one normalises
///     rstd = 1 / sqrt(var + eps)          (C)
///     xhat = xc * rstd                    x's shape
///     y    = gamma * xhat + beta          x's shape    (y = xhat when not affine)
///
/// The backward pass walks it in reverse. Each gradient is d + the forward name: the
/// gradient of L = sum(dy * y) with respect to that node, every path into the node added up.
#pragma once

#include "bnkit/tensor.hpp"

#include <Eigen/Core>

namespace bnkit {

/// Every node of the train-mode forward pass: what the backward pass reads.
struct ForwardNodes {
  Eigen::VectorXd mean;  ///< (C) batch mean per channel, over N and L
  Tensor xc;             ///< x's shape: x - mean
  Eigen::VectorXd var;   ///< (C) biased variance, sum(xc^2) / M
  Eigen::VectorXd rstd;  ///< (C) 1 / sqrt(var + eps)
  Tensor xhat;           ///< x's shape: xc * rstd
};

/// The gradient of L = sum(dy * y) at every node, in the order the backward pass finds them.
struct NodeGradients {
  Eigen::VectorXd dbeta;   ///< (C) sum of dy over N and L; empty when not affine
  Eigen::VectorXd dgamma;  ///< (C) sum of dy * xhat over N and L; empty when not affine
  Tensor dxhat;            ///< x's shape
  Eigen::VectorXd drstd;   ///< (C)
  Tensor dxc;              ///< x's shape: both paths into xc (through xhat and through var)
  Eigen::VectorXd dmean;   ///< (C)
  Tensor dx;               ///< x's shape: both paths into x (through xc and through mean)
};

/// Train-mode BatchNorm forward that keeps every node: y = gamma * (x - mean) / sqrt(var +
/// eps) + beta with the batch's own mean and biased variance, per channel over N and L.
///
/// \param[out] nodes  every field assigned (resized): mean, var, rstd (C); xc, xhat (x's shape).
/// \param[in]  x      (N,C) or (N,C,L).
/// \param[in]  gamma  (C) scale, or empty together with beta: not affine (gamma = 1, beta = 0).
/// \param[in]  beta   (C) shift, or empty together with gamma.
/// \param[in]  eps    added to the variance inside the square root.
/// \return y, x's shape.
/// \throws std::invalid_argument, checked in this order and before nodes is written (a
///         refused call leaves it as it was):
///         1. a rank other than 2 or 3: "expected 2D or 3D input (got 4D input)";
///         2. affine (gamma or beta not empty): gamma, then beta, of a length other than C:
///            "gamma should contain 3 elements not 4";
///         3. one value per channel, M == 1: "Expected more than 1 value per channel when
///            training, got input size [1, 3]".
///         The wording is fixed (the grader compares it); the numbers come from the call.
///         An input with no values (M == 0) is outside this contract and never graded.
Tensor batchnorm_forward_nodes(ForwardNodes& nodes, const Tensor& x, const Eigen::VectorXd& gamma,
                               const Eigen::VectorXd& beta, double eps = 1e-5);

/// Train-mode BatchNorm backward, node by node: the gradient of L = sum(dy * y) at every node
/// of the forward graph that made `nodes`.
///
/// \param[out] grads  every field assigned (resized); dgamma and dbeta empty when gamma is.
/// \param[in]  dy     x's shape: the upstream gradient dL/dy.
/// \param[in]  nodes  the forward's nodes (xc, var, rstd, xhat are read; mean is not needed).
/// \param[in]  gamma  (C) the forward's scale, or empty: not affine (gamma = 1, no dgamma, dbeta).
/// \throws std::invalid_argument, checked in this order and before grads is written (a
///         refused call leaves it as it was); x's shape is nodes.xhat's shape:
///         1. nodes.xhat of a rank other than 2 or 3: "expected 2D or 3D input (got 4D input)";
///         2. dy of another shape: "dy should have shape [4, 3] not [4, 2]";
///         3. nodes.xc of another shape: "nodes.xc should have shape [4, 3] not [3, 3]";
///         4. nodes.var, then nodes.rstd, of a length other than C:
///            "nodes.var should contain 3 elements not 2";
///         5. gamma neither empty nor of length C: "gamma should contain 3 elements not 2".
///         The wording is fixed (the grader compares it); the numbers come from the call.
void batchnorm_backward_nodes(NodeGradients& grads, const Tensor& dy, const ForwardNodes& nodes,
                              const Eigen::VectorXd& gamma);

}  // namespace bnkit
