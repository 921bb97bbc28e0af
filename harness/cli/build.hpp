// Building what a command needs, through CMake (the build directory is configured by ./bnkit).
#pragma once

#include <string>
#include <vector>

namespace bnkit::cli {

struct BuildResult {
  bool ok = false;
  std::string errors;  ///< the compiler's error lines, trimmed for a student to read
};

/// `cmake --build BUILD_DIR --target TARGET...`, its output kept in a log under the build dir.
BuildResult build_targets(const std::vector<std::string>& targets);

}  // namespace bnkit::cli
