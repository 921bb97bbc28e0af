// Building what a command needs, through CMake (the build directory is configured by ./bnkit).
#pragma once

#include <string>
#include <vector>

namespace bnkit::cli {

struct BuildResult {
  bool ok = false;
  std::string errors;    ///< the errors for one screen, the student's file and line first, then "full log: PATH"
  std::string warnings;  ///< warnings in the student's file (also when ok), then "full log: PATH"; "" when none
  std::string first_error_file;  ///< the student's file the first error is in ("" when none is)
};

/// `cmake --build BUILD_DIR --target TARGET...`, its output kept in a log under the build dir.
/// `student_file` (relative to the kit root, e.g. "lessons/01_batch_statistics/batch_statistics.cpp",
/// or a folder ending in '/') is whose lines the errors point at; the warnings are those of
/// `warnings_file` ("": the same as `student_file`).
BuildResult build_targets(const std::vector<std::string>& targets, const std::string& student_file = "lessons/",
                          const std::string& warnings_file = "");

}  // namespace bnkit::cli
