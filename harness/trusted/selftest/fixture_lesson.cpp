// A fake lesson test binary whose tests do every bad thing a submission can do, so the
// runner's handling of each is tested on a real process.
#include "bnkit/todo.hpp"
#include "mistakes.hpp"
#include "points.hpp"

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <thread>

BNKIT_TEST(Fixture, Passes, 1) { EXPECT_EQ(1 + 1, 2); }
BNKIT_TEST(Fixture, Fails, 2) { EXPECT_EQ(1 + 1, 3) << "one plus one"; }
BNKIT_TEST(Fixture, ReachesTodo, 3) { BNKIT_TODO("fixture"); }
BNKIT_TEST(Fixture, Segfaults, 4) { std::raise(SIGSEGV); }
BNKIT_TEST(Fixture, Aborts, 5) { std::abort(); }
BNKIT_TEST(Fixture, CallsExitZero, 6) { std::exit(0); }
BNKIT_TEST(Fixture, LoopsForever, 7) {
  for (;;) std::this_thread::sleep_for(std::chrono::milliseconds(10));
}
BNKIT_TEST(Fixture, ThrowsStdException, 8) { throw std::runtime_error("boom"); }
BNKIT_TEST(Fixture, FailsWithDiagnosis, 9) {
  ADD_FAILURE() << "y is wrong\n  " << bnkit::grader::looks_like("eps_outside_sqrt");
}
