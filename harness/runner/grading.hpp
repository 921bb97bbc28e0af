// Grading one lesson test binary: ask it for its manifest, then run every test in a
// process of its own with a time limit, so a crash, exit() or endless loop costs only
// the test it happens in.
#pragma once

#include "results.hpp"

#include <string>

namespace bnkit::runner {

struct GradingOptions {
  double timeout_s = 10.0;  ///< per test
  int jobs = 2;             ///< tests run at once
  std::string scratch_dir;  ///< where result files go (created if missing)
};

/// Runs every graded test of `binary`. Returns a lesson result whose status is
/// kBroken (with detail) when the binary cannot even list its tests.
LessonResult grade_binary(const std::string& lesson_id, const std::string& binary,
                          const GradingOptions& options);

/// The known-mistake id in a failure message ("... [eps_outside_sqrt] ..."), or "".
std::string diagnosis_in(const std::string& message);

}  // namespace bnkit::runner
