// Checking that bad input is refused with a message that names the problem.
#pragma once

#include <gtest/gtest.h>

#include <exception>
#include <stdexcept>
#include <string>

namespace bnkit::grader {

/// Success when `call()` throws std::invalid_argument whose what() contains `needle`.
template <typename Call>
::testing::AssertionResult throws_invalid_argument(Call&& call, const std::string& needle) {
  try {
    call();
  } catch (const std::invalid_argument& e) {
    if (std::string(e.what()).find(needle) != std::string::npos) {
      return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure()
           << "threw std::invalid_argument(\"" << e.what() << "\"), but the message should contain \""
           << needle << "\"";
  } catch (const std::exception& e) {
    return ::testing::AssertionFailure() << "expected std::invalid_argument containing \"" << needle
                                         << "\", but it threw: " << e.what();
  }
  return ::testing::AssertionFailure() << "expected std::invalid_argument containing \"" << needle
                                       << "\", but nothing was thrown";
}

}  // namespace bnkit::grader
