// Numeric checks whose failure message says what a student needs to fix the code.
#pragma once

#include "case_file.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace bnkit::grader {

/// |got - expected| <= atol + rtol * |expected|, element by element.
struct Tolerance {
  double atol;
  double rtol;
  /// Forward values in double: a few ulps of algorithmic difference, no more.
  static Tolerance forward() { return {1e-10, 1e-8}; }
  /// Looser, for gradients and values after long chains of arithmetic.
  static Tolerance gradient() { return {1e-8, 1e-6}; }
};

/// Where an expected value came from, for the failure message.
struct Origin {
  std::string source;                 ///< "PyTorch", "the reference solution", "the invariant ..."
  std::string case_name;              ///< golden case, if any
  std::optional<std::uint64_t> seed;  ///< random seed that reproduces the input, if any
};

/// Compares a student's tensor with the expected one. On failure the message holds the
/// tensor's name and shape, the first bad index, expected vs got, the max abs and rel
/// errors, the tolerance and where the expectation came from. When `mistakes` holds
/// fingerprints, it ends with a diagnosis marker line (mistakes.hpp): which fingerprints
/// there were and which ones the wrong answer matches within `tol`. The runner names a
/// mistake from the markers of the whole test, never from one comparison.
::testing::AssertionResult tensors_match(
    const std::string& name, const Tensor& got, const Tensor& expected, Tolerance tol,
    const Origin& origin, const std::vector<std::pair<std::string, Tensor>>& mistakes = {});

/// Compares `got` with tensor `key` of a golden case, using the case's fingerprints.
::testing::AssertionResult matches_case(const std::string& name, const Tensor& got,
                                        const Case& c, const std::string& key,
                                        Tolerance tol = Tolerance::forward());
::testing::AssertionResult matches_case(const std::string& name, const Eigen::MatrixXd& got,
                                        const Case& c, const std::string& key,
                                        Tolerance tol = Tolerance::forward());
::testing::AssertionResult matches_case(const std::string& name, const Eigen::VectorXd& got,
                                        const Case& c, const std::string& key,
                                        Tolerance tol = Tolerance::forward());

}  // namespace bnkit::grader
