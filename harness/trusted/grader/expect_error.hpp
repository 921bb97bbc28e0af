// Checking that bad input is refused with a message that names the problem.
#pragma once

#include "proxy.hpp"

#include "bnkit/checks.hpp"
#include "bnkit/todo.hpp"

#include <cxxabi.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <exception>
#include <memory>
#include <stdexcept>
#include <string>
#include <typeinfo>
#include <utility>
#include <vector>

namespace bnkit::grader {

/// Inside a catch block: the class of the exception being handled, as the contract would
/// name it, and its message. Exceptions from the worker arrive as their standard class; a
/// class of the student's own arrives as boundary::ForeignException, which knows its name.
inline std::string thrown_description() {
  try {
    throw;
  } catch (const boundary::ForeignException& e) {
    const std::string what = e.what(), prefix = e.type() + ": ";
    return e.type() + "(\"" + (what.rfind(prefix, 0) == 0 ? what.substr(prefix.size()) : what) + "\")";
  } catch (const std::exception& e) {
    // The worker's standard exceptions are rethrown here as their own class, so the
    // runtime's name for it is the name to show ("std::runtime_error").
    const std::type_info* type = abi::__cxa_current_exception_type();
    int status = 0;
    std::unique_ptr<char, void (*)(void*)> name(
        type ? abi::__cxa_demangle(type->name(), nullptr, nullptr, &status) : nullptr, std::free);
    return (status == 0 && name ? std::string(name.get()) : std::string("std::exception")) + "(\"" + e.what() + "\")";
  } catch (...) {
    return "something that is not a std::exception";
  }
}

/// Success when `call()` throws std::invalid_argument whose what() contains every one of
/// `facts` (the numbers and names the message must carry, or the whole wording where the
/// contract fixes it). A stub's TODO and a crash propagate as they are.
template <typename Call>
::testing::AssertionResult throws_invalid_argument(Call&& call, const std::vector<std::string>& facts) {
  std::string wanted = "std::invalid_argument";
  for (std::size_t i = 0; i < facts.size(); ++i) wanted += (i == 0 ? " containing \"" : ", \"") + facts[i] + "\"";
  try {
    call();
  } catch (const bnkit::NotImplemented&) {
    throw;
  } catch (const boundary::CallFailed&) {
    throw;
  } catch (const std::invalid_argument& e) {
    const std::string what = e.what();
    for (const std::string& f : facts) {
      if (what.find(f) == std::string::npos) {
        return ::testing::AssertionFailure() << "threw std::invalid_argument(\"" << what
                                             << "\"), but the contract says " << wanted;
      }
    }
    return ::testing::AssertionSuccess();
  } catch (...) {
    return ::testing::AssertionFailure() << "threw " << thrown_description() << "; the contract says " << wanted;
  }
  return ::testing::AssertionFailure() << "returned normally; the contract says it throws " << wanted;
}

template <typename Call>
::testing::AssertionResult throws_invalid_argument(Call&& call, const std::string& needle) {
  return throws_invalid_argument(std::forward<Call>(call), std::vector<std::string>{needle});
}

/// The message a check of bnkit/checks.hpp gives for these arguments, e.g.
/// refusal_message([&] { check_same_shape(bad, shape, "dy"); }): the contract's wording, for
/// a test to expect without writing it out again. A check that passes is a broken test:
/// std::logic_error.
template <typename Check>
std::string refusal_message(Check&& check) {
  try {
    check();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  throw std::logic_error("refusal_message: the check accepted its arguments, so there is no refusal to expect");
}

/// check_same_shape's refusal of a tensor of shape `actual` where `expected` was due:
/// "dy should have shape [2, 3] not [3, 2]".
inline std::string shape_mismatch(const std::vector<Eigen::Index>& actual, const std::vector<Eigen::Index>& expected,
                                  const std::string& name) {
  return refusal_message([&] { check_same_shape(actual, expected, name); });
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
  } catch (...) {
    return ::testing::AssertionFailure() << what << " is valid input, but it threw " << thrown_description()
                                         << "\n  (refuse bad input only: a check that always throws is wrong too)";
  }
  return ::testing::AssertionSuccess();
}

}  // namespace bnkit::grader
