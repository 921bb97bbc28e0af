// A hidden bad-input case: the same call, on the same state, by the reference and by the
// code under test, which must end it alike (returned, or threw the same message) and leave
// the state alike.
#pragma once

#include "hidden.hpp"
#include "hidden_cases.hpp"

#include <gtest/gtest.h>

#include <string>

namespace bnkit::grader {

/// How the reference (expected) and the code under test (actual) ended one call.
struct Ends {
  Outcome expected, actual;
  /// Neither threw: their results can be compared.
  bool both_returned() const { return !expected.threw && !actual.threw; }
  /// Success when both ended alike (same_outcome; `must_mention` as there).
  ::testing::AssertionResult alike(const std::string& call, const std::string& must_mention = "") const {
    return same_outcome(actual, expected, call, must_mention);
  }
};

/// Runs `call(want)` with the reference, then `call(got)` with the code under test: `want`
/// and `got` start as copies of one state, and each ends as its call left it.
template <typename State, typename Call>
Ends run_on_both(State& want, State& got, Call&& call) {
  Ends ends;
  ends.expected = with_oracle([&] { return outcome_of([&] { call(want); }); });
  ends.actual = outcome_of([&] { call(got); });
  return ends;
}

/// The same for a call that changes nothing it is given: the reference, then the code under test.
template <typename Call>
Ends run_on_both(Call&& call) {
  Ends ends;
  ends.expected = with_oracle([&] { return outcome_of(call); });
  ends.actual = outcome_of(call);
  return ends;
}

}  // namespace bnkit::grader
