// bnkit bench LESSON: the lesson's benchmark (Google Benchmark, harness/bench/), in an
// optimised build of its own (build/release, CMake's `release` preset), configured and built
// here. Speed is shown, never graded: the benchmark program says so, and nothing here touches
// grades or build/<preset>.
#include "commands.hpp"
#include "compile_feedback.hpp"
#include "lesson_args.hpp"
#include "paths.hpp"
#include "process.hpp"

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

/// The line "KEY:TYPE=VALUE" of a CMake cache, as VALUE.
std::optional<std::string> cache_value(const std::string& cache, const std::string& key) {
  std::ifstream in(cache);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key + ":", 0) == 0) {
      const auto eq = line.find('=');
      if (eq != std::string::npos) return line.substr(eq + 1);
    }
  }
  return std::nullopt;
}

bool benchmark_found(const std::string& build) {
  const auto dir = cache_value(build + "/CMakeCache.txt", "benchmark_DIR");
  return dir && !dir->empty() && dir->find("NOTFOUND") == std::string::npos;
}

/// Runs `argv`, its output into `log`; on failure prints the log's end and says what failed.
bool run_logged(const std::vector<std::string>& argv, const std::string& log, double timeout_s,
                const std::string& what) {
  const runner::ProcessOutcome outcome = runner::run_process(argv, log, timeout_s);
  if (outcome.kind == runner::ProcessOutcome::Kind::kExited && outcome.code == 0) return true;
  std::cerr << runner::read_file(log, 16 << 10) << "\nbnkit: " << what << " failed (log: " << log << ")\n";
  return false;
}

/// Configures build/release with the `release` preset, unless it is configured for this
/// checkout and has found Google Benchmark already.
bool configure_release(const std::string& build) {
  const std::string cache = build + "/CMakeCache.txt";
  const auto home = cache_value(cache, "CMAKE_HOME_DIRECTORY");
  if (home && fs::path(*home) != fs::path(source_dir())) {
    std::cout << "bnkit bench: build/release belongs to another checkout; starting it afresh" << std::endl;
    std::error_code ignored;
    fs::remove_all(build, ignored);
  }
  if (fs::exists(build + "/build.ninja") && benchmark_found(build)) return true;
  std::cout << "bnkit bench: configuring build/release (an optimised build of its own) ..." << std::endl;
  fs::create_directories(source_dir() + "/build");
  return run_logged({cmake_program(), "-S", source_dir(), "--preset", "release"},
                    source_dir() + "/build/configure-release.log", 600.0, "configuring build/release");
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
  std::vector<std::string> names;
  for (const std::string& a : args) {
    if (a.rfind("-", 0) == 0) return usage_error("unknown flag '" + a + "' for bench. It takes no flags");
    names.push_back(a);
  }
  if (names.size() != 1) return usage_error("bench needs exactly one lesson, e.g. ./bnkit bench 06");
  const auto lessons = select_lessons(names);
  if (!lessons) return 2;
  const Lesson& lesson = lessons->front();
  const auto bench = benchmarks().find(lesson.number);
  if (bench == benchmarks().end()) {
    std::string with;
    for (const auto& [number, target] : benchmarks()) with += (with.empty() ? "" : ", ") + number;
    return usage_error("lesson " + lesson.number + " has no benchmark. Lessons with one: " + with);
  }

  const std::string build = source_dir() + "/build/release";
  if (!configure_release(build)) return 1;
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
