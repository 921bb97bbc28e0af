// Reports: text from a submission can neither forge a score in the JSON nor reach the
// terminal as control sequences, and every lesson's points count.
#include "report.hpp"
#include "terminal.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace {

using namespace bnkit;

runner::TestResult test(const std::string& name, int points, runner::TestStatus status, const std::string& message) {
  runner::TestResult t;
  t.name = name;
  t.points = points;
  t.status = status;
  t.message = message;
  return t;
}

cli::GradeReport report_with_message(const std::string& message) {
  cli::GradeReport report;
  cli::Lesson lesson;
  lesson.id = "01_batch_statistics";
  lesson.title = "01 · Batch statistics";
  report.lessons = {lesson};
  runner::LessonResult r;
  r.id = lesson.id;
  r.status = runner::LessonStatus::kInProgress;
  runner::TestResult failed = test("Suite.Fails", 3, runner::TestStatus::kFailed, message);
  failed.output = message;
  runner::TestResult passed = test("Suite.Passes", 2, runner::TestStatus::kPassed, "");
  runner::TestResult hidden = test("HiddenSuite.Random", 5, runner::TestStatus::kPassed, "");
  hidden.hidden = true;
  r.tests = {failed, passed, hidden};
  report.results = {r};
  return report;
}

nlohmann::json written(const cli::GradeReport& report) {
  const std::string path = ::testing::TempDir() + "bnkit-report-" + std::to_string(getpid()) + ".json";
  cli::write_json(report, path);
  std::ifstream in(path);
  nlohmann::json j = nlohmann::json::parse(in);
  std::filesystem::remove(path);
  return j;
}

TEST(Json, AForgedScoreInAMessageStaysText) {
  const std::string forged = "boom\"}], \"earned\": 76, \"x\": [{\"a\": \"\n\x01\xff";
  const nlohmann::json j = written(report_with_message(forged));
  EXPECT_EQ(j["earned"], 7);
  EXPECT_EQ(j["possible"], 10);
  EXPECT_EQ(j["lessons"][0]["earned"], 7);
  EXPECT_EQ(j["lessons"][0]["tests"][0]["earned"], 0);
  EXPECT_NE(j["lessons"][0]["tests"][0]["message"].get<std::string>().find("\"earned\": 76"), std::string::npos);
}

TEST(Json, SaysWhichPointsAreHidden) {
  const nlohmann::json j = written(report_with_message("x"));
  EXPECT_EQ(j["hidden"]["earned"], 5);
  EXPECT_EQ(j["hidden"]["possible"], 5);
  EXPECT_EQ(j["visible"]["earned"], 2);
  EXPECT_EQ(j["visible"]["possible"], 5);
  EXPECT_EQ(j["lessons"][0]["tests"][2]["visibility"], "hidden");
  EXPECT_EQ(j["lessons"][0]["tests"][0]["visibility"], "visible");
}

TEST(Json, ALessonThatDidNotCompileStillCountsItsPoints) {
  cli::GradeReport report = report_with_message("x");
  report.results[0].status = runner::LessonStatus::kDoesNotCompile;
  for (auto& t : report.results[0].tests) t.status = runner::TestStatus::kNotRun;
  const nlohmann::json j = written(report);
  EXPECT_EQ(j["earned"], 0);
  EXPECT_EQ(j["possible"], 10);
  EXPECT_EQ(j["lessons"][0]["status"], "does not compile");
}

TEST(Json, AnUnwritablePathIsAClearError) {
  try {
    cli::write_json(report_with_message("x"), "/proc/bnkit/no/such/dir/grades.json");
    FAIL() << "writing into /proc must fail";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/proc/bnkit/no/such/dir/grades.json"), std::string::npos) << e.what();
  }
}

TEST(Terminal, ControlCharactersFromASubmissionAreNeutralised) {
  const std::string text = "ok\n\x1b[2J\x1b]0;pwned\x07\r  Total 76/76\tend\xc2\x9b";
  const std::string safe = cli::printable(text);
  EXPECT_EQ(safe.find('\x1b'), std::string::npos);
  EXPECT_EQ(safe.find('\r'), std::string::npos);
  EXPECT_EQ(safe.find('\x07'), std::string::npos);
  EXPECT_EQ(safe.find("\xc2\x9b"), std::string::npos) << "U+009B is a one-character CSI";
  EXPECT_NE(safe.find('\n'), std::string::npos);
  EXPECT_NE(safe.find('\t'), std::string::npos);
}

/// The terminal report of `report`, as printed.
std::string printed(const cli::GradeReport& report) {
  ::testing::internal::CaptureStdout();
  cli::print_report(report, cli::Style());
  return ::testing::internal::GetCapturedStdout();
}

TEST(Terminal, AnErrorInAUsedLessonSaysWhichFileToFix) {
  cli::GradeReport report = report_with_message("not run: the lesson's code does not compile");
  report.lessons.front().number = "01";
  report.lessons.front().topic = "batch_statistics";
  runner::LessonResult& r = report.results.front();
  r.status = runner::LessonStatus::kDoesNotCompile;
  EXPECT_NE(printed(report).find("Next: fix lessons/01_batch_statistics/batch_statistics.cpp,"), std::string::npos);
  r.file_to_fix = "lessons/00_used/used.cpp";
  const std::string text = printed(report);
  EXPECT_NE(text.find("Next: fix lessons/00_used/used.cpp,"), std::string::npos) << text;
  EXPECT_EQ(text.find("Next: fix lessons/01_batch_statistics"), std::string::npos) << text;
}

}  // namespace
