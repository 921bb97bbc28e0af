// bnkit-selftest: the checks that prove the kit in both directions, run by ctest.
//
//   bnkit-selftest stub LESSON TESTS_BINARY STUDENT_WORKER.so ROOT LESSONS_JSON
//       every graded test of the pristine stub fails, and reads as "not started"; the stub
//       is the one its kit folder's stub.sha256 records, and the lessons manifest lists the
//       binary's graded tests (what `./bnkit grade` reports for an untouched lesson).
//   bnkit-selftest mutant TESTS_BINARY MUTANT_WORKER.so Suite.Test MISTAKE_ID|none
//       the known-wrong implementation fails Suite.Test, diagnosed as MISTAKE_ID (none: with
//       no diagnosis), and no test of the lesson names any other mistake.
//   bnkit-selftest isolation NINJA BUILD_DIR LESSON TESTS_TARGET STUDENT_TARGET
//       from the build graph: the trusted test binary is built from no lesson, solution,
//       mutant or submission file, and the student's worker from no solution.
#include "grading.hpp"
#include "lessons_manifest.hpp"
#include "pristine.hpp"
#include "process.hpp"
#include "result_protocol.hpp"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

namespace fs = std::filesystem;
using namespace bnkit::runner;

namespace {

GradingOptions scratch_options(const std::string& tag, const std::string& worker) {
  GradingOptions options;
  options.scratch_dir =
      (fs::temp_directory_path() / ("bnkit-selftest-" + tag + "-" + std::to_string(getpid()))).string();
  options.extra_args = {std::string(bnkit::protocol::kWorkerFlag) + worker};
  return options;
}

LessonResult grade_with(const std::string& tag, const std::string& binary, const std::string& worker) {
  const GradingOptions options = scratch_options(tag, worker);
  LessonResult lesson = grade_binary(tag, binary, options);
  fs::remove_all(options.scratch_dir);
  return lesson;
}

void print_tests(const LessonResult& lesson) {
  for (const TestResult& t : lesson.tests) {
    std::cout << "  " << t.name << ": " << to_string(t.status)
              << (t.diagnosis.empty() ? "" : " [" + t.diagnosis + "]") << "\n";
  }
  if (!lesson.detail.empty()) std::cout << lesson.detail << "\n";
}

/// What `./bnkit grade` assumes of an untouched lesson (runner/pristine.hpp), checked here:
/// the stub is the one whose fingerprints are recorded, and the lessons manifest lists
/// exactly the graded tests of the binary (names, points, visible or hidden).
int check_stub_shortcut(const std::string& lesson_id, const std::string& binary, const std::string& root,
                        const std::string& manifest) {
  const std::vector<LessonEntry> all = read_lessons_manifest(manifest);
  const LessonEntry* entry = nullptr;
  for (const LessonEntry& e : all) entry = e.id == lesson_id ? &e : entry;
  if (!entry) {
    std::cout << "FAIL: the lessons manifest " << manifest << " has no lesson " << lesson_id << "\n";
    return 1;
  }
  int failures = 0;
  for (const std::string& file : changed_stub_files(root, *entry, all)) {
    std::cout << "FAIL: " << file << " is not the stub whose fingerprint " << entry->stub_fingerprints
              << " records (a kit developer who changed the stub: sha256sum its .cpp and .hpp into that file)\n";
    ++failures;
  }
  GradingOptions options = scratch_options("manifest", "");
  options.hidden = true;
  auto key = [](const std::vector<TestResult>& tests) {
    std::vector<std::string> out;
    for (const TestResult& t : tests) out.push_back(t.name + " " + std::to_string(t.points) + (t.hidden ? " hidden" : ""));
    std::sort(out.begin(), out.end());
    return out;
  };
  const std::vector<std::string> built = key(read_manifest(binary, options)), scanned = key(entry->tests);
  fs::remove_all(options.scratch_dir);
  if (built != scanned) {
    std::cout << "FAIL: the lessons manifest lists other tests than the test binary:\n";
    for (const std::string& t : built) {
      if (!std::binary_search(scanned.begin(), scanned.end(), t)) std::cout << "  only in the binary: " << t << "\n";
    }
    for (const std::string& t : scanned) {
      if (!std::binary_search(built.begin(), built.end(), t)) std::cout << "  only in the manifest: " << t << "\n";
    }
    ++failures;
  } else {
    std::cout << "ok: the lessons manifest lists the binary's " << built.size() << " graded tests\n";
  }
  return failures;
}

int check_stub(const std::string& lesson_id, const std::string& binary, const std::string& worker,
               const std::string& root, const std::string& manifest) {
  const LessonResult lesson = grade_with("stub", binary, worker);
  print_tests(lesson);
  int passing = 0;
  for (const TestResult& t : lesson.tests) passing += t.passed() ? 1 : 0;
  const int shortcut_failures = check_stub_shortcut(lesson_id, binary, root, manifest);
  if (lesson.status == LessonStatus::kNotStarted && passing == 0 && !lesson.tests.empty()) {
    std::cout << "ok: all " << lesson.tests.size() << " graded tests fail on the stub, as not started\n";
    return shortcut_failures == 0 ? 0 : 1;
  }
  std::cout << "FAIL: the stub of " << lesson_id << " should fail every graded test as 'not started'; "
            << "the lesson reads '" << to_string(lesson.status) << "' with " << passing
            << " passing test(s).\n"
            << "If you have been working on lessons/" << lesson_id << "/, this is expected: "
            << "`./bnkit test` checks the kit as shipped. Use `./bnkit grade` for your work.\n";
  return 1;
}

/// `diagnosis` is a mistake id, or "none": the grader must stay silent about this mutant.
int check_mutant(const std::string& binary, const std::string& worker, const std::string& test,
                 const std::string& diagnosis) {
  const std::string mistake = diagnosis == "none" ? "" : diagnosis;
  const auto named = [](const std::string& id) { return id.empty() ? std::string("no diagnosis") : "[" + id + "]"; };
  const LessonResult lesson = grade_with("mutant", binary, worker);
  print_tests(lesson);
  int failures = 0;
  bool found = false;
  for (const TestResult& t : lesson.tests) {
    if (t.name == test) {
      found = true;
      if (t.passed()) {
        std::cout << "FAIL: the mutant passes " << test << ": that test does not catch it\n";
        ++failures;
      } else if (t.status == TestStatus::kNotStarted) {
        std::cout << "FAIL: the mutant reaches a TODO; a mutant must be a complete implementation\n";
        ++failures;
      } else if (t.diagnosis != mistake) {
        std::cout << "FAIL: " << test << " catches the mutant but gives " << named(t.diagnosis) << " instead of "
                  << named(mistake) << ". Its message:\n" << t.message << "\n";
        ++failures;
      }
    } else if (!t.diagnosis.empty() && t.diagnosis != mistake) {
      // Right or silent, in every test: another test may miss this mutant, or catch it
      // without a diagnosis, but never name a mistake it did not make.
      std::cout << "FAIL: " << t.name << " names [" << t.diagnosis << "], but this mutant makes "
                << named(mistake) << ". Its message:\n" << t.message << "\n";
      ++failures;
    }
  }
  if (!found) {
    std::cout << "FAIL: the test binary has no test named " << test << "\n";
    return 1;
  }
  if (failures == 0) {
    std::cout << "ok: caught by " << test << " with " << named(mistake) << ", and no test names another mistake\n";
  }
  return failures == 0 ? 0 : 1;
}

/// Every file Ninja would read to build `target`, transitively.
std::vector<std::string> build_inputs(const std::string& ninja, const std::string& build, const std::string& target) {
  const std::string out = (fs::temp_directory_path() / ("bnkit-inputs-" + std::to_string(getpid()))).string();
  run_process({ninja, "-C", build, "-t", "inputs", target}, out, 60.0);
  std::istringstream in(read_file(out));
  fs::remove(out);
  std::vector<std::string> files;
  for (std::string line; std::getline(in, line);) files.push_back(line);
  return files;
}

int check_isolation(const std::string& ninja, const std::string& build, const std::string& lesson,
                    const std::string& tests_target, const std::string& student_target) {
  int failures = 0;
  auto expect_none = [&](const std::string& target, const std::vector<std::string>& forbidden) {
    const std::vector<std::string> inputs = build_inputs(ninja, build, target);
    if (inputs.size() < 3) {
      std::cout << "FAIL: ninja lists no inputs for " << target << ", so nothing is proven\n";
      ++failures;
      return;
    }
    int bad = 0;
    for (const std::string& file : inputs) {
      for (const std::string& f : forbidden) {
        if (file.find(f) != std::string::npos) {
          std::cout << "FAIL: " << target << " is built from " << file << "\n";
          ++bad;
        }
      }
    }
    if (bad == 0) std::cout << "ok: " << target << ": " << inputs.size() << " inputs, none of them forbidden\n";
    failures += bad;
  };
  // The trusted binary: no lesson code of any kind (its header, the contract, is allowed).
  // (Mutant sources are generated into BUILD_DIR/mutants/ from the kit folders' mutants.txt.)
  expect_none(tests_target, {"lessons/" + lesson + "/" + lesson.substr(3) + ".cpp", "solutions/", "/mutants.txt",
                             build + "/mutants/", "harness/adversarial/", "_student", "_reference.", "_mutant_"});
  // The student's worker: no reference code, and of the kit folders (tests, hidden tests,
  // golden data, mutants) only the binding files.
  expect_none(student_target, {"solutions/", "_reference.", "/mutants.txt", "/tests/", "/hidden/", "/golden/"});
  {
    int outside_binding = 0;
    for (const std::string& file : build_inputs(ninja, build, student_target)) {
      const bool in_kit_folder = file.find("harness/lessons/") != std::string::npos;
      const std::string tail = "/binding.cpp";
      const bool binding = file.size() >= tail.size() && file.compare(file.size() - tail.size(), tail.size(), tail) == 0;
      if (in_kit_folder && !binding) {
        std::cout << "FAIL: " << student_target << " is built from " << file << " (of a kit folder, only binding.cpp)\n";
        ++outside_binding;
      }
    }
    failures += outside_binding;
  }
  // And the check can fail: the reference worker IS built from the solution.
  const std::string reference = student_target.substr(0, student_target.find("_student")) + "_reference";
  bool found = false;
  for (const std::string& file : build_inputs(ninja, build, reference)) found |= file.find("solutions/") != std::string::npos;
  std::cout << (found ? "ok: " : "FAIL: ") << reference << (found ? " is" : " is not")
            << " built from solutions/ (so this check sees what it looks for)\n";
  failures += found ? 0 : 1;
  return failures == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() == 6 && args[0] == "stub") return check_stub(args[1], args[2], args[3], args[4], args[5]);
  if (args.size() == 5 && args[0] == "mutant") return check_mutant(args[1], args[2], args[3], args[4]);
  if (args.size() == 6 && args[0] == "isolation") return check_isolation(args[1], args[2], args[3], args[4], args[5]);
  std::cerr << "usage: bnkit-selftest stub LESSON TESTS WORKER.so ROOT LESSONS_JSON | mutant TESTS WORKER.so Suite.Test MISTAKE_ID|none | "
               "isolation NINJA BUILD_DIR LESSON TESTS_TARGET STUDENT_TARGET\n";
  return 2;
}
