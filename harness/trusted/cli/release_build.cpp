#include "release_build.hpp"

#include "paths.hpp"
#include "process.hpp"

#include <filesystem>
#include <fstream>
#include <iostream>

namespace bnkit::cli {

namespace fs = std::filesystem;

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

bool run_logged(const std::vector<std::string>& argv, const std::string& log, double timeout_s,
                const std::string& what) {
  const runner::ProcessOutcome outcome = runner::run_process(argv, log, timeout_s);
  if (outcome.kind == runner::ProcessOutcome::Kind::kExited && outcome.code == 0) return true;
  std::cerr << runner::read_file(log, 16 << 10) << "\nbnkit: " << what << " failed (log: " << log << ")\n";
  return false;
}

bool configure_release(const std::string& build, const std::string& command, bool need_benchmark) {
  const std::string cache = build + "/CMakeCache.txt";
  const auto home = cache_value(cache, "CMAKE_HOME_DIRECTORY");
  if (home && fs::path(*home) != fs::path(source_dir())) {
    std::cout << "bnkit " << command << ": build/release belongs to another checkout; starting it afresh" << std::endl;
    std::error_code ignored;
    fs::remove_all(build, ignored);
  }
  if (fs::exists(build + "/build.ninja") && (!need_benchmark || benchmark_found(build))) return true;
  std::cout << "bnkit " << command << ": configuring build/release (an optimised build of its own) ..." << std::endl;
  fs::create_directories(source_dir() + "/build");
  return run_logged({cmake_program(), "-S", source_dir(), "--preset", "release"},
                    source_dir() + "/build/configure-release.log", 600.0, "configuring build/release");
}

}  // namespace bnkit::cli
