// A layer's backward against central differences of its own forward (lessons 07 and 11):
// dL/dx, dL/dgamma and dL/dbeta of L = sum(dy * forward(x)), each probe on a copy of the
// layer, so no probe changes the layer the next one starts from.
#pragma once

#include "compare.hpp"
#include "gradient_check.hpp"

#include "bnkit/tensor.hpp"

#include <Eigen/Core>
#include <gtest/gtest.h>

#include <cstdint>

namespace bnkit::grader {

/// `g` (the layer's backward of dy at x) against the central differences, with step h, of
/// the forward of `layer` as it was before that backward's forward. `seed` made x.
template <typename Layer, typename Grads>
void expect_grads_match_central_differences(const Layer& layer, const Grads& g, const Tensor& x, const Tensor& dy,
                                            double h, std::uint64_t seed) {
  const Tolerance tol = gradient_check_tolerance();
  const auto loss = [&](Layer probe, const Tensor& input) { return dot(dy, probe.forward(input)); };
  const Tensor dx_numeric = numerical_gradient([&](const Tensor& xp) { return loss(layer, xp); }, x, h);
  const Eigen::VectorXd dgamma_numeric = numerical_gradient(
      [&](const Eigen::VectorXd& gp) {
        Layer probe = layer;
        probe.gamma = gp;
        return loss(probe, x);
      },
      layer.gamma, h);
  const Eigen::VectorXd dbeta_numeric = numerical_gradient(
      [&](const Eigen::VectorXd& bp) {
        Layer probe = layer;
        probe.beta = bp;
        return loss(probe, x);
      },
      layer.beta, h);
  EXPECT_TRUE(tensors_match("dx", g.dx, dx_numeric, tol, central_differences_origin(h, seed, "sum(dy * forward(x))")));
  EXPECT_TRUE(tensors_match("dgamma", to_tensor(g.dgamma), to_tensor(dgamma_numeric), tol,
                            central_differences_origin(h, seed, "sum(dy * forward(x)) in gamma")));
  EXPECT_TRUE(tensors_match("dbeta", to_tensor(g.dbeta), to_tensor(dbeta_numeric), tol,
                            central_differences_origin(h, seed, "sum(dy * forward(x)) in beta")));
}

}  // namespace bnkit::grader
