// The runner on a real binary: every way a test can end is classified correctly and costs
// only that test.
#include "grading.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <unistd.h>

namespace {

using namespace bnkit::runner;

const LessonResult& fixture_result() {
  static const LessonResult result = [] {
    GradingOptions options;
    options.timeout_s = 1.0;  // each ctest process re-grades the fixture: keep the hang short
    options.scratch_dir = (std::filesystem::temp_directory_path() /
                           ("bnkit-runner-test-" + std::to_string(getpid()))).string();
    LessonResult r = grade_binary("fixture", BNKIT_FIXTURE_BINARY, options);
    std::filesystem::remove_all(options.scratch_dir);
    return r;
  }();
  return result;
}

const TestResult& result_of(const std::string& name) {
  for (const TestResult& t : fixture_result().tests) {
    if (t.name == name) return t;
  }
  throw std::runtime_error("no result for " + name);
}

TEST(Runner, ListsEveryTestWithItsPoints) {
  ASSERT_EQ(fixture_result().tests.size(), 9u);
  EXPECT_EQ(result_of("Fixture.Passes").points, 1);
  EXPECT_EQ(result_of("Fixture.FailsWithDiagnosis").points, 9);
  EXPECT_EQ(fixture_result().possible(), 45);
}

TEST(Runner, ClassifiesEveryEnding) {
  const std::map<std::string, TestStatus> expected = {
      {"Fixture.Passes", TestStatus::kPassed},
      {"Fixture.Fails", TestStatus::kFailed},
      {"Fixture.ReachesTodo", TestStatus::kNotStarted},
      {"Fixture.Segfaults", TestStatus::kCrashed},
      {"Fixture.Aborts", TestStatus::kCrashed},
      {"Fixture.CallsExitZero", TestStatus::kExited},
      {"Fixture.LoopsForever", TestStatus::kTimedOut},
      {"Fixture.ThrowsStdException", TestStatus::kFailed},
      {"Fixture.FailsWithDiagnosis", TestStatus::kFailed},
  };
  for (const auto& [name, status] : expected) {
    EXPECT_EQ(to_string(result_of(name).status), std::string(to_string(status))) << name;
  }
}

TEST(Runner, OnlyPassingTestsEarnPoints) {
  EXPECT_EQ(fixture_result().earned(), 1);
  EXPECT_EQ(fixture_result().status, LessonStatus::kInProgress);
}

TEST(Runner, KeepsFailureMessagesAndDiagnosis) {
  EXPECT_NE(result_of("Fixture.Fails").message.find("one plus one"), std::string::npos);
  EXPECT_NE(result_of("Fixture.ThrowsStdException").message.find("boom"), std::string::npos);
  EXPECT_NE(result_of("Fixture.Segfaults").message.find("SIGSEGV"), std::string::npos);
  EXPECT_EQ(result_of("Fixture.FailsWithDiagnosis").diagnosis, "eps_outside_sqrt");
  EXPECT_EQ(result_of("Fixture.Fails").diagnosis, "");
}

TEST(Runner, ReportsABinaryThatCannotListItsTests) {
  GradingOptions options;
  options.scratch_dir = (std::filesystem::temp_directory_path() /
                         ("bnkit-runner-missing-" + std::to_string(getpid()))).string();
  const LessonResult r = grade_binary("missing", "/nonexistent/binary", options);
  std::filesystem::remove_all(options.scratch_dir);
  EXPECT_EQ(r.status, LessonStatus::kBroken);
  EXPECT_EQ(r.tests.size(), 0u);
}

TEST(LessonStatus, FollowsTheTests) {
  TestResult todo, pass;
  todo.name = "A.B";
  todo.points = 1;
  todo.status = TestStatus::kNotStarted;
  pass.name = "A.C";
  pass.points = 1;
  pass.status = TestStatus::kPassed;
  EXPECT_EQ(summarise({todo, todo}), LessonStatus::kNotStarted);
  EXPECT_EQ(summarise({pass, pass}), LessonStatus::kComplete);
  EXPECT_EQ(summarise({todo, pass}), LessonStatus::kInProgress);
  EXPECT_EQ(summarise({}), LessonStatus::kBroken);
}

}  // namespace
