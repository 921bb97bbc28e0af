// Grading one lesson: ask its (trusted) test binary for the manifest, then run every test
// in a process of its own with a time limit. The test binary talks to the worker that runs
// the code under test; nothing the worker does reaches this process but through a result
// file the test binary writes.
#pragma once

#include "results.hpp"

#include <functional>
#include <string>
#include <vector>

namespace bnkit::runner {

struct GradingOptions {
  double timeout_s = 30.0;  ///< per test (each call inside it has its own, shorter limit)
  int jobs = 2;             ///< tests run at once
  std::string scratch_dir;  ///< where result files go (created if missing)
  std::vector<std::string> extra_args;  ///< passed to every run of the binary (worker, oracle, ...)
  bool hidden = false;      ///< include the hidden tests (instructor mode)
  /// Called about every half second while tests run: the slowest running test and the
  /// seconds it has left, for a countdown.
  std::function<void(const std::string& test, double seconds_left)> on_wait;
};

/// The graded tests of a binary and their points. Throws std::runtime_error (with the
/// binary's output) when it cannot list them.
std::vector<TestResult> read_manifest(const std::string& binary, const GradingOptions& options);

/// Runs every graded test of `binary`. A binary that cannot even list its tests gives a
/// lesson with no tests, status kBroken, and the reason in detail.
LessonResult grade_binary(const std::string& lesson_id, const std::string& binary,
                          const GradingOptions& options);

/// The known-mistake id in a failure message ("... [eps_outside_sqrt] ..."), or "".
std::string diagnosis_in(const std::string& message);

}  // namespace bnkit::runner
