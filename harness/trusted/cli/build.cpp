#include "build.hpp"

#include "compile_feedback.hpp"
#include "paths.hpp"
#include "process.hpp"

#include <filesystem>
#include <fstream>
#include <optional>
#include <system_error>

namespace bnkit::cli {

namespace {

namespace fs = std::filesystem;

/// Line `line` (from 1) of a file under the kit root, or nothing.
std::optional<std::string> line_of(const std::string& file, int line) {
  std::ifstream in(source_dir() + "/" + file);
  std::string text;
  for (int i = 0; i < line && std::getline(in, text);) {
    if (++i == line) return text;
  }
  return std::nullopt;
}

/// The student's file relative to the kit root, however it was given.
std::string relative_to_root(const std::string& file) {
  const std::string root = source_dir() + "/";
  return file.compare(0, root.size(), root) == 0 ? file.substr(root.size()) : file;
}

/// Warnings of the student's file. A file compiled by an earlier build is not recompiled, so
/// its warnings are not in this build's log: the log of the last build that compiled it is
/// kept beside it (bnkit-warnings-TARGET.log) and read instead, unless the file has changed
/// since (then another build compiled it, and those warnings are unknown).
std::string student_warnings(const std::string& log, const std::string& text, const std::string& student,
                             const std::string& target) {
  const std::string kept = build_dir() + "/bnkit-warnings-" + target + ".log";
  if (compiled_in_log(text, student)) {
    std::error_code ignored;
    fs::copy_file(log, kept, fs::copy_options::overwrite_existing, ignored);
    return format_warnings(summarise(text, student, source_dir()), log);
  }
  std::error_code error;
  const auto kept_time = fs::last_write_time(kept, error);
  if (error || student.back() == '/') return "";
  const auto source_time = fs::last_write_time(source_dir() + "/" + student, error);
  if (error || source_time > kept_time) return "";
  return format_warnings(summarise(runner::read_file(kept), student, source_dir()), kept);
}

}  // namespace

BuildResult build_targets(const std::vector<std::string>& targets, const std::string& student_file,
                          const std::string& warnings_file) {
  const std::string log = build_dir() + "/bnkit-build-" + targets.front() + ".log";
  std::vector<std::string> argv = {cmake_program(), "--build", build_dir(), "--target"};
  argv.insert(argv.end(), targets.begin(), targets.end());
  const runner::ProcessOutcome outcome = runner::run_process(argv, log, 600.0);
  BuildResult result;
  result.ok = outcome.kind == runner::ProcessOutcome::Kind::kExited && outcome.code == 0;
  const std::string student = relative_to_root(student_file.empty() ? "lessons/" : student_file);
  const std::string text = runner::read_file(log);
  if (!result.ok) {
    CompileFeedback feedback = summarise(text, student, source_dir());
    add_missing_sources(feedback, line_of);
    result.errors = format_errors(feedback, log);
    for (const CompileError& e : feedback.errors) {
      if (!e.file.empty()) {
        result.first_error_file = e.file;
        break;
      }
    }
  }
  result.warnings = student_warnings(log, text, warnings_file.empty() ? student : relative_to_root(warnings_file),
                                     targets.front());
  return result;
}

}  // namespace bnkit::cli
