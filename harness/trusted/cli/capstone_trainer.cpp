// Building the capstone's trainer programs (harness/trusted/capstone/CMakeLists.txt) on demand, and
// saying plainly why one does not build.
#include "capstone_trainer.hpp"

#include "compile_feedback.hpp"
#include "paths.hpp"
#include "process.hpp"
#include "release_build.hpp"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>

namespace bnkit::cli {

namespace {

namespace fs = std::filesystem;

/// Where the trainers are built: build/release, or BNKIT_CAPSTONE_BUILD (the kit's own tests
/// build them in their build folder).
std::string trainer_build_dir() { return from_env_or("BNKIT_CAPSTONE_BUILD", ""); }

}  // namespace

std::string build_capstone_trainer(bool reference) {
  std::string build = trainer_build_dir();
  const std::string target = reference ? "bnkit-capstone-reference" : "bnkit-capstone-student";
  if (build.empty()) {
    build = source_dir() + "/build/release";
    if (!configure_release(build, "capstone", /*need_benchmark=*/false)) return "";
  }
  if (reference && !fs::exists(solutions_dir() + "/12_capstone/capstone.cpp")) {
    std::cerr << "bnkit: --reference needs the reference solutions, and " << solutions_dir()
              << "/12_capstone/capstone.cpp is not there (a student's copy of the kit has none)\n";
    return "";
  }
  std::cout << "  building " << target << " (optimised; the first build takes a minute or two) ..." << std::endl;
  const std::string log = build + "/bnkit-build-" + target + ".log";
  const runner::ProcessOutcome built = runner::run_process({cmake_program(), "--build", build, "--target", target}, log, 1200.0);
  if (built.kind != runner::ProcessOutcome::Kind::kExited || built.code != 0) {
    CompileFeedback feedback = summarise(runner::read_file(log), reference ? "solutions/" : "lessons/", source_dir());
    add_missing_sources(feedback, [](const std::string& file, int line) -> std::optional<std::string> {
      std::ifstream in(source_dir() + "/" + file);
      std::string text;
      for (int i = 0; i < line && std::getline(in, text);) {
        if (++i == line) return text;
      }
      return std::nullopt;
    });
    std::cerr << (reference ? "bnkit: the reference trainer does not build (a kit bug):\n"
                            : "bnkit: your code does not compile (lesson 12 builds lessons 01, 04, 06, 08 and 12 together):\n")
              << format_errors(feedback, log) << "\n";
    return "";
  }
  return build + "/capstone/" + target;
}

}  // namespace bnkit::cli
