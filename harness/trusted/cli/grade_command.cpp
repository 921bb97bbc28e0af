// bnkit grade [LESSON...] [--reference] [--hidden [--seed N]] [--strict] [--verbose]
//             [--json FILE] [--timeout S] [--sandbox full|basic]
#include "arguments.hpp"
#include "build.hpp"
#include "commands.hpp"
#include "grading.hpp"
#include "launch.hpp"
#include "lesson_args.hpp"
#include "paths.hpp"
#include "pristine.hpp"
#include "report.hpp"
#include "result_protocol.hpp"
#include "terminal.hpp"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <random>
#include <thread>
#include <unistd.h>

namespace bnkit::cli {

namespace {

struct GradeOptions {
  bool reference = false, hidden = false, strict = false, verbose = false;
  std::string json_path;
  double timeout_s = 10.0;
  std::optional<std::uint64_t> seed;
  std::optional<sandbox::Level> level;
  std::vector<std::string> lessons;
};

/// Parses the flags (CLI11, arguments.hpp), then checks their values in the kit's words.
/// Returns kOk, kHelp, or kError with `error` set.
Parsed parse(const Args& args, GradeOptions& o, std::string& error) {
  CLI::App app{"Builds and grades your lessons (all of them when none is named)."};
  setup_parser(app, "grade");
  std::string seed, timeout, level;
  app.add_flag("--reference", o.reference, "grade the reference solutions instead");
  app.add_flag("--hidden", o.hidden, "instructor mode: add the hidden tests (needs solutions/)");
  app.add_option("--seed", seed, "with --hidden: reproduce a run's hidden inputs")->type_name("N");
  app.add_flag("--strict", o.strict, "exit 1 unless every graded test passes");
  app.add_flag("-v,--verbose", o.verbose, "every failure of every lesson, not only the next one to fix");
  app.add_option("--json", o.json_path, "also write the results as JSON to FILE")->type_name("FILE");
  app.add_option("--timeout", timeout, "time limit per call into your code (default 10)")->type_name("SECONDS");
  app.add_option("--sandbox", level, "force a sandbox level (default: the strongest that works)")
      ->type_name("full|basic");
  app.add_option("LESSON", o.lessons, "01 or 1, 01_batch_statistics or batch_statistics")->type_name("");
  if (const Parsed p = parse_arguments(app, "grade", args, error); p != Parsed::kOk) return p;

  error = [&]() -> std::string {
    if (!timeout.empty()) {
      char* end = nullptr;
      o.timeout_s = std::strtod(timeout.c_str(), &end);
      if (*end != '\0' || !(o.timeout_s > 0) || o.timeout_s > 3600)
        return "--timeout needs a number of seconds above 0 (at most 3600)";
    }
    if (!seed.empty() || app.count("--seed")) {
      if (seed.empty() || seed.find_first_not_of("0123456789") != std::string::npos || seed.size() > 19)
        return "--seed needs a whole number below 10^19, e.g. --seed 42";
      o.seed = std::stoull(seed);
    }
    if (!level.empty() || app.count("--sandbox")) {
      sandbox::Level l;
      if (!sandbox::parse_level(level, l)) return "--sandbox needs full or basic";
      o.level = l;
    }
    if (o.seed && !o.hidden) return "--seed goes with --hidden (it seeds the hidden tests)";
    if (o.hidden && !std::filesystem::exists(solutions_dir())) {
      return "--hidden needs the instructor's copy of the kit: the hidden tests check against the reference "
             "solutions, and " + solutions_dir() + " is not there";
    }
    return "";
  }();
  return error.empty() ? Parsed::kOk : Parsed::kError;
}

/// A lesson whose code did not compile still has all its tests: each counts 0 of its points.
/// `file` is the lesson's own file; `built.first_error_file` may be a lesson it uses.
runner::LessonResult not_compiled(const Lesson& lesson, const std::string& binary, const runner::GradingOptions& options,
                                  const BuildResult& built, const std::string& file) {
  runner::LessonResult result;
  result.id = lesson.id;
  result.status = runner::LessonStatus::kDoesNotCompile;
  const bool elsewhere = !built.first_error_file.empty() && built.first_error_file != file;
  if (elsewhere) result.file_to_fix = built.first_error_file;
  result.detail = "  " + (elsewhere ? built.first_error_file + " (lesson " + lesson.number + " uses it)" : file) +
                  " does not compile:\n" + built.errors;
  result.tests = runner::read_manifest(binary, options);
  for (auto& t : result.tests) t.message = "not run: the lesson's code does not compile";
  return result;
}

/// The lesson and the lessons it uses are still the shipped stubs, byte for byte.
bool untouched(const Lesson& lesson, const std::vector<runner::LessonEntry>& all) {
  try {
    return runner::changed_stub_files(source_dir(), lesson.entry, all).empty();
  } catch (const std::exception&) {
    return false;  // no fingerprints to go by: build and grade it
  }
}

}  // namespace

int grade_command(const Args& args) {
  GradeOptions o;
  std::string error;
  if (const Parsed p = parse(args, o, error); p != Parsed::kOk) return p == Parsed::kHelp ? 0 : usage_error(error);
  auto lessons = select_lessons(o.lessons);
  if (!lessons) return 2;
  // `grade 1 01` grades lesson 01 once.
  std::vector<Lesson> unique;
  for (const Lesson& l : *lessons) {
    if (std::none_of(unique.begin(), unique.end(), [&](const Lesson& u) { return u.id == l.id; })) unique.push_back(l);
  }

  std::vector<runner::LessonEntry> all_entries;  // the lessons a graded one may use
  if (const auto everything = select_lessons({})) {
    for (const Lesson& l : *everything) all_entries.push_back(l.entry);
  }

  const Style style;
  GradeReport report;
  report.reference = o.reference;
  report.verbose = o.verbose;
  report.lessons = unique;
  report.level = o.level ? *o.level : sandbox::detect_level();
  if (o.hidden) {
    // A fresh seed of at most 15 digits, so it is easy to pass back to --seed.
    std::random_device entropy;
    const std::uint64_t fresh = ((std::uint64_t{entropy()} << 32) | entropy()) % 1000000000000000ull;
    report.seed = o.seed ? *o.seed : fresh;
  }
  const std::string scratch = build_dir() + "/grades/run-" + std::to_string(getpid());
  const bool tty = isatty(2);
  auto progress = [&](const std::string& text) {
    if (tty) std::cerr << kClearLine << style.dim(text) << std::flush;
    else std::cerr << text << "\n";
  };
  for (const Lesson& lesson : unique) {
    const std::string binary = lesson_binary(lesson.tests_target());
    const std::string worker_target = o.reference ? lesson.reference_target() : lesson.student_target();
    runner::GradingOptions options;
    options.timeout_s = 3 * o.timeout_s + 10;  // a test makes many calls; each has o.timeout_s
    options.jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    options.scratch_dir = scratch + "/" + lesson.id;
    options.hidden = o.hidden;
    options.extra_args = {std::string(protocol::kWorkerFlag) + worker_library(worker_target),
                          std::string(protocol::kSandboxFlag) + sandbox::to_string(report.level),
                          std::string(protocol::kCallTimeoutFlag) + std::to_string(o.timeout_s)};
    if (o.hidden) {
      options.extra_args.push_back(std::string(protocol::kOracleFlag) + worker_library(lesson.reference_target()));
      options.extra_args.push_back(std::string(protocol::kSeedFlag) + std::to_string(*report.seed));
    }
    options.on_wait = [&](const std::string& test, double left) {
      if (tty && left < 2 * o.timeout_s + 10 - 2) {
        progress("  " + lesson.id + ": waiting for " + test + " (" + std::to_string(std::max(0, static_cast<int>(left))) +
                 " s left)");
      }
    };

    runner::LessonResult result;
    result.id = lesson.id;
    if (!o.reference && !o.hidden && untouched(lesson, all_entries)) {
      // Its verdict is the one `./bnkit test` proves for this exact stub: no build needed.
      report.results.push_back(runner::pristine_result(lesson.entry, "lessons/" + lesson.id + "/" + lesson.topic + ".cpp"));
      continue;
    }
    progress("  building " + lesson.id + " ...");
    std::vector<std::string> kit_targets = {lesson.tests_target()};
    if (o.hidden) kit_targets.push_back(lesson.reference_target());
    if (const BuildResult kit = build_targets(kit_targets); !kit.ok) {
      result.status = runner::LessonStatus::kBroken;
      result.detail = "  the kit's own test binary for " + lesson.id + " does not build (a kit bug):\n" + kit.errors;
    } else {
      const std::string file = std::string(o.reference ? "solutions/" : "lessons/") + lesson.id + "/" + lesson.topic + ".cpp";
      // A lesson that uses others links their files too: an error in any of them is the student's.
      const std::string scope = lesson.entry.uses.empty() ? file : (o.reference ? "solutions/" : "lessons/");
      const BuildResult built = build_targets({worker_target}, scope, file);
      if (!built.ok) {
        result = not_compiled(lesson, binary, options, built, file);
      } else {
        progress("  grading " + lesson.id + " ...");
        result = runner::grade_binary(lesson.id, binary, options);
      }
      result.warnings = built.warnings;
    }
    report.results.push_back(result);
  }
  if (tty) std::cerr << kClearLine << std::flush;
  std::filesystem::remove_all(scratch);

  print_report(report, style);
  const std::string kind = o.reference ? "reference" : "student";
  write_json(report, build_dir() + "/grades/latest-" + kind + ".json");
  if (!o.reference) write_status(report, build_dir() + "/grades/status.tsv");
  if (!o.json_path.empty()) {
    try {
      write_json(report, o.json_path);
    } catch (const std::exception& e) {
      std::cerr << "bnkit: " << e.what() << " (the results are also in " << build_dir() << "/grades/latest-" << kind
                << ".json)\n";
      return 1;
    }
  }
  const bool full_marks = report.earned() == report.possible() && report.possible() > 0 &&
                          std::none_of(report.results.begin(), report.results.end(), [](const runner::LessonResult& r) {
                            return r.status == runner::LessonStatus::kBroken;
                          });
  return o.strict && !full_marks ? 1 : 0;
}

}  // namespace bnkit::cli
