// bnkit grade [LESSON...] [--reference] [--strict] [--verbose] [--json FILE] [--timeout S]
#include "build.hpp"
#include "commands.hpp"
#include "grading.hpp"
#include "lesson_args.hpp"
#include "paths.hpp"
#include "report.hpp"

#include <filesystem>
#include <iostream>
#include <thread>
#include <unistd.h>

namespace bnkit::cli {

namespace {

constexpr const char* kGradeFlags = "--reference, --strict, --verbose, --json FILE, --timeout SECONDS";

struct GradeOptions {
  bool reference = false, strict = false, verbose = false;
  std::string json_path;
  double timeout_s = 10.0;
  std::vector<std::string> lessons;
};

/// Parses the flags; returns an error message, or "" when they are fine.
std::string parse(const Args& args, GradeOptions& o) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&]() -> std::optional<std::string> {
      if (i + 1 >= args.size()) return std::nullopt;
      return args[++i];
    };
    if (a == "--reference") o.reference = true;
    else if (a == "--strict") o.strict = true;
    else if (a == "--verbose" || a == "-v") o.verbose = true;
    else if (a == "--json") {
      auto v = value();
      if (!v) return "--json needs a file name";
      o.json_path = *v;
    } else if (a == "--timeout") {
      auto v = value();
      char* end = nullptr;
      if (!v || (o.timeout_s = std::strtod(v->c_str(), &end), *end != '\0') || o.timeout_s <= 0)
        return "--timeout needs a number of seconds above 0";
    } else if (a.rfind("-", 0) == 0) {
      return "unknown flag '" + a + "' for grade. Valid flags: " + kGradeFlags;
    } else {
      o.lessons.push_back(a);
    }
  }
  return "";
}

}  // namespace

int grade_command(const Args& args) {
  GradeOptions o;
  if (const std::string error = parse(args, o); !error.empty()) return usage_error(error);
  const auto lessons = select_lessons(o.lessons);
  if (!lessons) return 2;

  const Style style;
  GradeReport report;
  report.reference = o.reference;
  report.verbose = o.verbose;
  report.lessons = *lessons;
  const std::string scratch = build_dir() + "/grades/run-" + std::to_string(getpid());
  for (const Lesson& lesson : *lessons) {
    const std::string target = o.reference ? lesson.reference_target() : lesson.student_target();
    std::cerr << style.dim("  building and testing " + lesson.id + " ...") << (isatty(2) ? "\r" : "\n")
              << std::flush;
    runner::LessonResult result;
    result.id = lesson.id;
    if (const BuildResult built = build_target(target); !built.ok) {
      result.status = runner::LessonStatus::kDoesNotCompile;
      result.detail = "  " + std::string(o.reference ? "solutions/" : "lessons/") + lesson.id +
                      " does not compile:\n" + built.errors;
    } else {
      runner::GradingOptions options;
      options.timeout_s = o.timeout_s;
      options.jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
      options.scratch_dir = scratch + "/" + lesson.id;
      result = runner::grade_binary(lesson.id, lesson_binary(target), options);
    }
    report.results.push_back(result);
  }
  if (isatty(2)) std::cerr << std::string(60, ' ') << "\r" << std::flush;
  std::filesystem::remove_all(scratch);

  print_report(report, style);
  const std::string kind = o.reference ? "reference" : "student";
  write_json(report, build_dir() + "/grades/latest-" + kind + ".json");
  if (!o.reference) write_status(report, build_dir() + "/grades/status.tsv");
  if (!o.json_path.empty()) write_json(report, o.json_path);

  const bool full_marks = report.earned() == report.possible() && report.possible() > 0;
  return o.strict && !full_marks ? 1 : 0;
}

}  // namespace bnkit::cli
