// Grading one lesson: ask its (trusted) test binary for the manifest, then run every test
// in a process of its own with a time limit. The test binary talks to the worker that runs
// the code under test; nothing the worker does reaches this process but through a result
// file the test binary writes.
#pragma once

#include "mistakes.hpp"
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

/// What the failures of one test say about known mistakes.
struct Diagnosis {
  std::string id;       ///< the mistake named, or "" (the grader stays silent)
  std::string message;  ///< the failures' texts, the mistake's sentence once
};

/// One failure of a test as its result file carries it: the text, and the evidence its
/// comparisons recorded (grader/mistakes.hpp), one entry per comparison.
struct Failure {
  std::string text;
  std::vector<grader::Evidence> evidence;
};

/// Weighs the evidence of every failure of one test, one entry per comparison. Mistake X is
/// named only when
///   - some comparison matched X,
///   - no comparison that had X's fingerprint failed to match it, and
///   - every other id that passes both tests matched only a strict subset of the
///     comparisons X matched (two ids that explain the same failures: nothing is named).
/// Ids missing from the catalogue are never named. When X is named, its sentence
/// ("Looks like a known mistake [X]: ...") follows the first failure that matched it.
Diagnosis diagnose(const std::vector<Failure>& failures);

}  // namespace bnkit::runner
