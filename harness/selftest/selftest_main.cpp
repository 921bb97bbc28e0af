// bnkit-selftest: the checks that prove the kit in both directions, run by ctest.
//
//   bnkit-selftest stub LESSON BINARY
//       every graded test of the pristine stub fails, and reads as "not started".
//   bnkit-selftest mutant BINARY Suite.Test MISTAKE_ID
//       the known-wrong implementation fails Suite.Test, diagnosed as MISTAKE_ID.
//   bnkit-selftest isolation REFERENCE_BINARY STUDENT_BINARY [MORE_STUDENT_SIDE_BINARIES...]
//       the reference binary carries the reference tag (so the check can see it), and no
//       binary that runs student (or mutant) code does.
#include "grading.hpp"
#include "process.hpp"

#include <filesystem>
#include <iostream>
#include <string>
#include <unistd.h>
#include <vector>

namespace fs = std::filesystem;
using namespace bnkit::runner;

namespace {

constexpr const char* kReferenceTag = "bnkit-provenance:reference:";

GradingOptions scratch_options(const std::string& tag) {
  GradingOptions options;
  options.scratch_dir =
      (fs::temp_directory_path() / ("bnkit-selftest-" + tag + "-" + std::to_string(getpid()))).string();
  return options;
}

void print_tests(const LessonResult& lesson) {
  for (const TestResult& t : lesson.tests) {
    std::cout << "  " << t.name << ": " << to_string(t.status)
              << (t.diagnosis.empty() ? "" : " [" + t.diagnosis + "]") << "\n";
  }
}

int check_stub(const std::string& lesson_id, const std::string& binary) {
  const GradingOptions options = scratch_options("stub");
  const LessonResult lesson = grade_binary(lesson_id, binary, options);
  fs::remove_all(options.scratch_dir);
  print_tests(lesson);
  int passing = 0;
  for (const TestResult& t : lesson.tests) passing += t.passed() ? 1 : 0;
  if (lesson.status == LessonStatus::kNotStarted && passing == 0 && !lesson.tests.empty()) {
    std::cout << "ok: all " << lesson.tests.size() << " graded tests fail on the stub, as not started\n";
    return 0;
  }
  std::cout << "FAIL: the stub of " << lesson_id << " should fail every graded test as 'not started'; "
            << "the lesson reads '" << to_string(lesson.status) << "' with " << passing
            << " passing test(s).\n"
            << "If you have been working on lessons/" << lesson_id << "/, this is expected: "
            << "`./bnkit test` checks the kit as shipped. Use `./bnkit grade` for your work.\n";
  return 1;
}

int check_mutant(const std::string& binary, const std::string& test, const std::string& mistake) {
  const GradingOptions options = scratch_options("mutant");
  const LessonResult lesson = grade_binary("mutant", binary, options);
  fs::remove_all(options.scratch_dir);
  print_tests(lesson);
  for (const TestResult& t : lesson.tests) {
    if (t.name != test) continue;
    if (t.passed()) {
      std::cout << "FAIL: the mutant passes " << test << ": that test does not catch it\n";
      return 1;
    }
    if (t.status == TestStatus::kNotStarted) {
      std::cout << "FAIL: the mutant reaches a TODO; a mutant must be a complete implementation\n";
      return 1;
    }
    if (t.diagnosis != mistake) {
      std::cout << "FAIL: " << test << " catches the mutant but diagnoses '" << t.diagnosis
                << "' instead of '" << mistake << "'. Its message:\n" << t.message << "\n";
      return 1;
    }
    std::cout << "ok: caught by " << test << " and diagnosed as [" << mistake << "]\n";
    return 0;
  }
  std::cout << "FAIL: the mutant's binary has no test named " << test << "\n";
  return 1;
}

int check_isolation(const std::vector<std::string>& binaries) {
  int failures = 0;
  for (std::size_t i = 0; i < binaries.size(); ++i) {
    const bool tagged = read_file(binaries[i]).find(kReferenceTag) != std::string::npos;
    const bool should_be_tagged = i == 0;
    std::cout << (tagged == should_be_tagged ? "ok: " : "FAIL: ") << binaries[i]
              << (tagged ? " contains" : " does not contain") << " reference code\n";
    failures += tagged == should_be_tagged ? 0 : 1;
  }
  return failures == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() == 3 && args[0] == "stub") return check_stub(args[1], args[2]);
  if (args.size() == 4 && args[0] == "mutant") return check_mutant(args[1], args[2], args[3]);
  if (args.size() >= 3 && args[0] == "isolation") return check_isolation({args.begin() + 1, args.end()});
  std::cerr << "usage: bnkit-selftest stub LESSON BINARY | mutant BINARY Suite.Test MISTAKE_ID | "
               "isolation REFERENCE_BINARY STUDENT_BINARY...\n";
  return 2;
}
