#include "results.hpp"

#include <algorithm>
#include <numeric>

namespace bnkit::runner {

int LessonResult::earned() const {
  return std::accumulate(tests.begin(), tests.end(), 0,
                         [](int sum, const TestResult& t) { return sum + t.earned(); });
}

int LessonResult::possible() const {
  return std::accumulate(tests.begin(), tests.end(), 0,
                         [](int sum, const TestResult& t) { return sum + t.points; });
}

int LessonResult::earned(bool hidden) const {
  int sum = 0;
  for (const TestResult& t : tests) sum += t.hidden == hidden ? t.earned() : 0;
  return sum;
}

int LessonResult::possible(bool hidden) const {
  int sum = 0;
  for (const TestResult& t : tests) sum += t.hidden == hidden ? t.points : 0;
  return sum;
}

LessonStatus summarise(const std::vector<TestResult>& tests) {
  auto all = [&](TestStatus s) {
    return std::all_of(tests.begin(), tests.end(), [&](const TestResult& t) { return t.status == s; });
  };
  if (tests.empty()) return LessonStatus::kBroken;
  if (all(TestStatus::kPassed)) return LessonStatus::kComplete;
  if (all(TestStatus::kNotStarted)) return LessonStatus::kNotStarted;
  return LessonStatus::kInProgress;
}

const char* to_string(TestStatus s) {
  switch (s) {
    case TestStatus::kPassed: return "passed";
    case TestStatus::kFailed: return "failed";
    case TestStatus::kNotStarted: return "not started";
    case TestStatus::kCrashed: return "crashed";
    case TestStatus::kExited: return "exited";
    case TestStatus::kTimedOut: return "timed out";
    case TestStatus::kNotRun: return "not run";
  }
  return "?";
}

const char* to_string(LessonStatus s) {
  switch (s) {
    case LessonStatus::kComplete: return "complete";
    case LessonStatus::kInProgress: return "in progress";
    case LessonStatus::kNotStarted: return "not started";
    case LessonStatus::kDoesNotCompile: return "does not compile";
    case LessonStatus::kBroken: return "broken";
  }
  return "?";
}

}  // namespace bnkit::runner
