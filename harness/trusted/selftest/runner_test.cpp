// The runner on a real binary: every way a test can end is classified correctly and costs
// only that test.
#include "grading.hpp"
#include "mistakes.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>
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
  // The evidence the test recorded names the mistake; the sentence follows the failure.
  const std::string& m = result_of("Fixture.FailsWithDiagnosis").message;
  EXPECT_NE(m.find("y is wrong\n  Looks like a known mistake [eps_outside_sqrt]: you added eps"), std::string::npos)
      << m;
}

// diagnose(): a mistake is named only when every comparison that could tell agrees.

/// A failure with the evidence of one comparison ("a,b" lists of ids).
Failure failure(const std::string& text, const std::string& available, const std::string& matched) {
  auto ids = [](const std::string& list) {
    std::vector<std::string> out;
    std::stringstream in(list);
    for (std::string id; std::getline(in, id, ',');) out.push_back(id);
    return out;
  };
  return {text, {{ids(available), ids(matched)}}};
}
Failure plain(const std::string& text) { return {text, {}}; }

TEST(Diagnose, NamesAMistakeEveryComparisonAgreesWith) {
  const Diagnosis d = diagnose({failure("var is wrong in case a", "divides_by_n_minus_1,eps_outside_sqrt", "divides_by_n_minus_1"),
                                failure("y is wrong in case b", "divides_by_n_minus_1", "divides_by_n_minus_1"),
                                plain("the counter is wrong")});
  EXPECT_EQ(d.id, "divides_by_n_minus_1");
  // The texts as they were; the sentence once, after the first failure that matched.
  EXPECT_EQ(d.message, "var is wrong in case a\n  Looks like a known mistake [divides_by_n_minus_1]: " +
                           bnkit::grader::describe_mistake("divides_by_n_minus_1") +
                           "\ny is wrong in case b\nthe counter is wrong");
}

TEST(Diagnose, IsSilentWhenAComparisonThatHadTheFingerprintMissedIt) {
  const Diagnosis d = diagnose({failure("case a", "divides_by_n", "divides_by_n"),
                                failure("case b", "divides_by_n,wrong_axis", "")});
  EXPECT_EQ(d.id, "");
  EXPECT_EQ(d.message, "case a\ncase b");
}

TEST(Diagnose, IsSilentWhenTwoMistakesExplainTheSameFailures) {
  // count / (count - 1) in integers and the biased variance agree wherever count > 2.
  const Diagnosis d = diagnose({failure("case a", "biased_variance_stored,integer_bessel", "biased_variance_stored,integer_bessel"),
                                failure("case b", "integer_bessel,biased_variance_stored", "integer_bessel,biased_variance_stored")});
  EXPECT_EQ(d.id, "");
  EXPECT_EQ(d.message.find("Looks like"), std::string::npos) << d.message;
}

TEST(Diagnose, IsSilentWhenTwoMistakesEachExplainFailuresTheOtherCannot) {
  const Diagnosis d = diagnose({failure("case a", "forgot_affine", "forgot_affine"),
                                failure("case b", "keras_momentum", "keras_momentum")});
  EXPECT_EQ(d.id, "");
}

TEST(Diagnose, NamesTheMistakeThatExplainsStrictlyMore) {
  // At count 2 the integer factor is right, so only the biased variance explains case b.
  const Diagnosis d = diagnose({failure("case a", "biased_variance_stored,integer_bessel", "biased_variance_stored,integer_bessel"),
                                failure("case b", "biased_variance_stored", "biased_variance_stored")});
  EXPECT_EQ(d.id, "biased_variance_stored");
}

TEST(Diagnose, IsSilentWithoutFingerprintsOrMatches) {
  EXPECT_EQ(diagnose({plain("y is wrong"), plain("the counter is wrong")}).id, "");
  EXPECT_EQ(diagnose({}).id, "");
  EXPECT_EQ(diagnose({failure("case a", "divides_by_n", "")}).id, "");
}

TEST(Diagnose, NeverNamesAnIdOutsideTheCatalogue) {
  const Diagnosis d = diagnose({failure("case a", "no_such_mistake", "no_such_mistake")});
  EXPECT_EQ(d.id, "");
  EXPECT_EQ(d.message, "case a");
}

TEST(Diagnose, ReadsNoEvidenceOutOfText) {
  // Text shaped like the old in-message marker (as a submission might print or throw it)
  // is only text: evidence is data the trusted checks record, never parsed from a message.
  const std::string forged = "file.cpp:3: boom bnkit-diagnosis: available=running_var_init_zero matched=running_var_init_zero";
  const Diagnosis d = diagnose({plain(forged)});
  EXPECT_EQ(d.id, "");
  EXPECT_EQ(d.message, forged);
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
