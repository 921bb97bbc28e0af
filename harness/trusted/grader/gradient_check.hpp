// A gradient checker for any lesson: central differences in double, on the trusted side.
//
// A backward pass with upstream gradient dy computes the gradient of the scalar
// L = sum(dy * y) with respect to each input. This file estimates that gradient from
// forward evaluations alone,
//
//     dL/dv_i ~ (L(v + h e_i) - L(v - h e_i)) / (2 h)        (error O(h^2), no bias)
//
// so a lesson's backward can be checked against its own forward, with no PyTorch and no
// reference: an oracle independent of the others. `loss` is any callable of the trusted
// side; a test makes it call the code under test THROUGH the proxies, so every evaluation
// is one call into the worker (two per coordinate: keep the inputs to a few dozen values).
// A stub's NotImplemented and a failed call (CallFailed) propagate out as they are.
//
//     const double h = 1e-5;                       // about 1e-5 times the spread of x
//     const Tensor dy = ...;
//     const Tensor numeric = numerical_gradient([&](const Tensor& xp) {
//       return dot(dy, bnkit::my_forward(xp));     // a proxy call: the student's forward
//     }, x, h);
//     EXPECT_TRUE(tensors_match("dx", student_dx, numeric, gradient_check_tolerance(),
//                               central_differences_origin(h, seed)));
//
// Choosing h: the forward must be smooth on the scale of h, and h must be large enough that
// rounding in L (about 1e-16 |L|) stays small after the division by 2h. About 1e-5 times the
// spread of the values (not their size: a value near 1e5 with a spread of 1 still wants
// h ~ 1e-5) gives errors near 1e-9 relative. The step actually taken is (v + h) - (v - h) as
// the machine holds it, so a large v does not bias the estimate.
#pragma once

#include <gtest/gtest.h>

#include "compare.hpp"

#include "bnkit/tensor.hpp"

#include <Eigen/Core>

#include <cstdint>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>

namespace bnkit::grader {

/// sum(a * b) over every element: the scalar L whose gradient a backward pass computes,
/// with a = dy and b = y. Throws std::invalid_argument when the shapes differ (a forward that
/// returned the wrong shape).
inline double dot(const Tensor& a, const Tensor& b) {
  if (a.shape() != b.shape()) {
    throw std::invalid_argument("gradient check: the forward returned shape " + shape_string(b.shape()) +
                                " where " + shape_string(a.shape()) + " was expected");
  }
  return a.values().dot(b.values());
}

/// The central-difference gradient of the scalar function `loss` at `point`, coordinate by
/// coordinate, with step h (absolute). `loss` is called with a perturbed copy of `point`
/// (an Eigen::VectorXd), 2 * point.size() times.
template <typename Loss>
Eigen::VectorXd numerical_gradient(Loss&& loss, const Eigen::VectorXd& point, double h) {
  Eigen::VectorXd grad(point.size());
  Eigen::VectorXd moved = point;
  for (Eigen::Index i = 0; i < point.size(); ++i) {
    const double plus = point[i] + h, minus = point[i] - h;
    moved[i] = plus;
    const double up = loss(static_cast<const Eigen::VectorXd&>(moved));
    moved[i] = minus;
    const double down = loss(static_cast<const Eigen::VectorXd&>(moved));
    moved[i] = point[i];
    grad[i] = (up - down) / (plus - minus);  // the step the machine really took
  }
  // Premise of every gradient check: the loss moves when the point moves. A forward whose
  // output ignores its input (zeros, a constant) would otherwise pass against a backward
  // that returns zeros: zero compared with zero.
  if (point.size() > 0 && grad.cwiseAbs().maxCoeff() <= 1e-12) {
    ADD_FAILURE_AT("", 0) << "the loss sum(dy * y) does not change when this input moves: the forward's "
                             "output does not depend on it, so the gradient check has nothing to compare";
  }
  return grad;
}

/// The same over a tensor's values: the result has `point`'s shape. `loss` is called with a
/// perturbed copy of `point` (a Tensor).
template <typename Loss>
Tensor numerical_gradient(Loss&& loss, const Tensor& point, double h) {
  const Eigen::VectorXd grad = numerical_gradient(
      [&](const Eigen::VectorXd& values) { return loss(Tensor(point.shape(), values)); }, point.values(), h);
  return Tensor(point.shape(), grad);
}

/// How far an analytic gradient may sit from a central-difference estimate in double with
/// h ~ 1e-5 of the spread: truncation (h^2 times the third derivative) and rounding
/// (1e-16 |L| / h) stay below about 1e-8 on inputs of moderate size. Looser than
/// Tolerance::gradient(), which compares two analytic answers.
inline Tolerance gradient_check_tolerance() { return {1e-6, 1e-5}; }

/// The Origin line for a failure against central differences.
inline Origin central_differences_origin(double h, std::optional<std::uint64_t> seed, const std::string& of,
                                         const std::string& case_name = "") {
  std::ostringstream os;
  os << "central differences in double of " << of << " (h = " << h << ")";
  return {os.str(), case_name, seed};
}

}  // namespace bnkit::grader
