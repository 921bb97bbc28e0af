// What grading produces: per test, per lesson. Every report format (terminal table, JSON,
// and later Gradescope / JUnit) is written from these structs.
#pragma once

#include <string>
#include <vector>

namespace bnkit::runner {

enum class TestStatus {
  kPassed,
  kFailed,      ///< ran to the end, a check failed
  kNotStarted,  ///< reached a BNKIT_TODO in the stub
  kCrashed,     ///< killed by a signal (segfault, abort, failed assertion)
  kExited,      ///< called exit() (or similar) before the test finished
  kTimedOut,    ///< ran past the time limit (endless loop?)
  kNotRun,      ///< the lesson's code did not compile, so the test could not run
};

struct TestResult {
  std::string name;  ///< "Suite.Name"
  int points = 0;    ///< what the test is worth
  TestStatus status = TestStatus::kFailed;
  std::string message;    ///< failure messages, or what happened to the process
  std::string diagnosis;  ///< known-mistake id the failure matched, if any
  double seconds = 0.0;
  bool hidden = false;    ///< an instructor-mode test (randomized, checked against the reference)
  std::string output;     ///< what the code under test printed during the test (bounded)

  bool passed() const { return status == TestStatus::kPassed; }
  int earned() const { return passed() ? points : 0; }
};

enum class LessonStatus { kComplete, kInProgress, kNotStarted, kDoesNotCompile, kBroken };

struct LessonResult {
  std::string id;    ///< "01_batch_statistics"
  LessonStatus status = LessonStatus::kNotStarted;
  std::string detail;  ///< compiler errors (kDoesNotCompile) or what went wrong (kBroken)
  std::string warnings;  ///< compiler warnings in the lesson's file (also when it compiles)
  /// kDoesNotCompile: the file the first error is in, when it is not the lesson's own (a
  /// lesson it uses, e.g. "lessons/04_eval_mode/eval_mode.cpp" for lesson 07).
  std::string file_to_fix;
  std::vector<TestResult> tests;  ///< every graded test, whether or not it could run

  int earned() const;
  int possible() const;
  int earned(bool hidden) const;    ///< visible (false) or hidden (true) points only
  int possible(bool hidden) const;
};

/// Derives a lesson's status from its tests' statuses.
LessonStatus summarise(const std::vector<TestResult>& tests);

const char* to_string(TestStatus s);
const char* to_string(LessonStatus s);

}  // namespace bnkit::runner
