// Checks of single numbers (a converted momentum, a counter), in the same style as
// tensors_match's messages: name, expected, got, tolerance, where the expectation came from.
#pragma once

#include "compare.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <sstream>
#include <string>

namespace bnkit::grader {

namespace scalar_detail {

inline std::string number(double v, int precision, bool scientific) {
  std::ostringstream os;
  os.precision(precision);
  if (scientific) os << std::scientific;
  os << v;
  return os.str();
}

inline std::string origin_line(const Origin& origin) {
  std::string s = "expected values: " + origin.source;
  if (!origin.case_name.empty()) s += ", case '" + origin.case_name + "'";
  return s + (origin.seed ? ", seed " + std::to_string(*origin.seed) : std::string(", no random seed"));
}

}  // namespace scalar_detail

/// Success when |got - expected| <= atol + rtol * |expected| (NaN matches only NaN). On
/// failure: "<name> is wrong: expected E, got G", the error and the tolerance, the origin.
inline ::testing::AssertionResult scalars_match(const std::string& name, double got, double expected, Tolerance tol,
                                                const Origin& origin) {
  using scalar_detail::number;
  const bool both_nan = std::isnan(got) && std::isnan(expected);
  const double error = std::abs(got - expected);
  if (both_nan || (std::isfinite(error) && error <= tol.atol + tol.rtol * std::abs(expected)) ||
      (std::isinf(expected) && got == expected)) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << name << " is wrong: expected " << number(expected, 12, false) << ", got "
                                       << number(got, 12, false) << "\n  error " << number(error, 2, true)
                                       << "; tolerance |got - expected| <= " << number(tol.atol, 2, true) << " + "
                                       << number(tol.rtol, 2, true) << " * |expected|\n  "
                                       << scalar_detail::origin_line(origin);
}

/// Success when a count (num_batches_tracked, a size) is exactly `expected`.
inline ::testing::AssertionResult counts_match(const std::string& name, long got, long expected,
                                               const Origin& origin) {
  if (got == expected) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << name << " is wrong: expected " << expected << ", got " << got << "\n  "
                                       << scalar_detail::origin_line(origin);
}

}  // namespace bnkit::grader
