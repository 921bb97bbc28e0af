#include "build.hpp"

#include "paths.hpp"
#include "process.hpp"

#include <sstream>

namespace bnkit::cli {

namespace {

/// The lines of a build log that matter to a student: errors with their context, without
/// the template-instantiation noise. (A fuller translator of compiler errors comes later.)
std::string error_lines(const std::string& log) {
  std::istringstream in(log);
  std::ostringstream out;
  int shown = 0, context = 0;
  for (std::string line; std::getline(in, line) && shown < 25;) {
    const bool error = line.find("error:") != std::string::npos || line.find("Error:") != std::string::npos;
    if (error) context = 3;
    if (error || (context > 0 && line.find("note:") == std::string::npos &&
                  line.find("In instantiation") == std::string::npos)) {
      out << "    " << line << "\n";
      ++shown;
      --context;
    }
  }
  return out.str();
}

}  // namespace

BuildResult build_targets(const std::vector<std::string>& targets) {
  const std::string log = build_dir() + "/bnkit-build-" + targets.front() + ".log";
  std::vector<std::string> argv = {cmake_program(), "--build", build_dir(), "--target"};
  argv.insert(argv.end(), targets.begin(), targets.end());
  const runner::ProcessOutcome outcome = runner::run_process(argv, log, 600.0);
  BuildResult result;
  result.ok = outcome.kind == runner::ProcessOutcome::Kind::kExited && outcome.code == 0;
  if (!result.ok) {
    result.errors = error_lines(runner::read_file(log));
    if (result.errors.empty()) result.errors = "    (no error line found)\n";
    result.errors += "    full log: " + log + "\n";
  }
  return result;
}

}  // namespace bnkit::cli
