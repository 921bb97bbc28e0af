// Looping over cases so that one crash costs one case, not the whole test.
#pragma once

#include "proxy.hpp"

#include <gtest/gtest.h>

#include <string>

namespace bnkit::grader {

/// Runs `check()`; if the call under test crashed, hung or ran out of memory, records that
/// as a failure of this case (with the active SCOPED_TRACE, which names the case) and
/// returns false, so the caller's loop goes on with the next case.
template <typename Check>
bool guarded(Check&& check) {
  try {
    check();
    return true;
  } catch (const boundary::CallFailed& e) {
    ADD_FAILURE_AT("", 0) << e.what();  // no file:line of ours: the message names the call
    return false;
  }
}

/// Runs `check(c)` for every case of `cases`, each under SCOPED_TRACE("case NAME").
template <typename Cases, typename Check>
void for_each_case(const Cases& cases, Check&& check) {
  for (const auto& c : cases) {
    SCOPED_TRACE("case " + c.name());
    guarded([&] { check(c); });
  }
}

}  // namespace bnkit::grader
