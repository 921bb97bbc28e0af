// Worker side: Eigen's run-time checks (sizes, indices) report to the grader instead of
// printing assert()'s text and aborting. Seen before Eigen in every translation unit of a
// worker library: it is the first header of the worker's precompiled header, bnkit_dispatch
// (no precompiled header) takes it with -include, and so does a lesson's worker library
// when precompiled headers are off (harness/cmake/lessons.cmake).
//
// A failed check calls bnkit_eigen_assert_failed (eigen_failure.cpp), which sends the
// condition, the Eigen function it sits in and the call stack to the trusted side, then
// aborts. The trusted side turns that into one sentence naming the student's line
// (eigen_failure_report.hpp).
//
// Eigen's checks stay off where Eigen would switch them off (NDEBUG, EIGEN_NO_DEBUG).
#pragma once

#if !defined(NDEBUG) && !defined(EIGEN_NO_DEBUG) && !defined(eigen_assert)

extern "C" [[noreturn]] void bnkit_eigen_assert_failed(const char* condition, const char* function,
                                                       const char* file, int line);

// __PRETTY_FUNCTION__ is expanded inside the Eigen function that checks: it names the
// operation and the operand types (e.g. CwiseBinaryOp<scalar_difference_op, ...>).
#define eigen_assert(x) \
  (static_cast<bool>(x) ? void(0) : bnkit_eigen_assert_failed(#x, __PRETTY_FUNCTION__, __FILE__, __LINE__))

#endif
