// bnkit bench LESSON: the lesson's benchmark (Google Benchmark, harness/bench/), in an
// optimised build of its own (build/release, CMake's `release` preset), configured and built
// here. Speed is shown, never graded: the benchmark program says so, and nothing here touches
// grades or build/<preset>.
#include "arguments.hpp"
#include "commands.hpp"
#include "compile_feedback.hpp"
#include "lesson_args.hpp"
#include "paths.hpp"
#include "process.hpp"
#include "release_build.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>

namespace bnkit::cli {

namespace {

namespace fs = std::filesystem;

/// The lessons with a benchmark: number -> benchmark target (harness/bench/CMakeLists.txt).
const std::map<std::string, std::string>& benchmarks() {
  static const std::map<std::string, std::string> table = {{"06", "bench06_backward_fast"}};
  return table;
}

std::optional<std::string> line_of(const std::string& file, int line) {
  std::ifstream in(source_dir() + "/" + file);
  std::string text;
  for (int i = 0; i < line && std::getline(in, text);) {
    if (++i == line) return text;
  }
  return std::nullopt;
}

}  // namespace

int bench_command(const Args& args) {
  if (!args.empty() && args.front() == "capstone") return bench_capstone_command(Args(args.begin() + 1, args.end()));
  std::vector<std::string> names;
  CLI::App app{"Times your code beside the reference (shown, not graded); `bench capstone` times the capstone."};
  setup_parser(app, "bench");
  app.add_option("LESSON", names, "a lesson with a benchmark (06), or capstone")->type_name("");
  std::string error;
  if (const Parsed p = parse_arguments(app, "bench", args, error); p != Parsed::kOk) {
    return p == Parsed::kHelp ? 0 : usage_error(error);
  }
  if (names.size() != 1) return usage_error("bench needs exactly one lesson, e.g. ./bnkit bench 06, or capstone");
  const auto lessons = select_lessons(names);
  if (!lessons) return 2;
  const Lesson& lesson = lessons->front();
  const auto bench = benchmarks().find(lesson.number);
  if (bench == benchmarks().end()) {
    std::string with;
    for (const auto& [number, target] : benchmarks()) with += (with.empty() ? "" : ", ") + number;
    return usage_error("lesson " + lesson.number + " has no benchmark. Lessons with one: " + with + " (and ./bnkit bench capstone)");
  }

  const std::string build = source_dir() + "/build/release";
  if (!configure_release(build, "bench", /*need_benchmark=*/true)) return 1;
  if (!benchmark_found(build)) {
    std::cerr << "bnkit: Google Benchmark is not installed. Install it with\n\n"
                 "    sudo apt-get install -y libbenchmark-dev\n\n"
                 "(./bnkit bench installs it itself when run as root), then run ./bnkit bench "
              << lesson.number << " again.\n";
    return 1;
  }

  std::cout << "bnkit bench: building " << bench->second << " in build/release ..." << std::endl;
  const std::string log = build + "/bnkit-build-" + bench->second + ".log";
  const runner::ProcessOutcome built =
      runner::run_process({cmake_program(), "--build", build, "--target", bench->second}, log, 600.0);
  if (built.kind != runner::ProcessOutcome::Kind::kExited || built.code != 0) {
    const std::string student = "lessons/" + lesson.id + "/" + lesson.topic + ".cpp";
    CompileFeedback feedback = summarise(runner::read_file(log), student, source_dir());
    add_missing_sources(feedback, line_of);
    std::cerr << "bnkit: the benchmark does not build:\n" << format_errors(feedback, log) << "\n";
    return 1;
  }

  std::string program = build + "/bench/" + bench->second;
  std::cout.flush();
  char* argv[] = {program.data(), nullptr};
  execv(argv[0], argv);
  std::cerr << "bnkit: cannot run " << program << "\n";
  return 1;
}

}  // namespace bnkit::cli
