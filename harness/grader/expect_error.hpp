// Checking that bad input is refused with a message that names the problem.
#pragma once

#include "proxy.hpp"

#include "bnkit/todo.hpp"

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

/// Success when `call()`, a call on VALID input, returns without throwing. Every test that
/// checks a refusal pairs it with one of these, so code that throws on everything earns
/// nothing. A stub's TODO and a crash propagate as they are.
template <typename Call>
::testing::AssertionResult accepts(Call&& call, const std::string& what) {
  try {
    call();
  } catch (const bnkit::NotImplemented&) {
    throw;
  } catch (const boundary::CallFailed&) {
    throw;
  } catch (const std::exception& e) {
    return ::testing::AssertionFailure() << what << " is valid input, but it threw: " << e.what()
                                         << "\n  (refuse bad input only: a check that always throws is wrong too)";
  }
  return ::testing::AssertionSuccess();
}

}  // namespace bnkit::grader
