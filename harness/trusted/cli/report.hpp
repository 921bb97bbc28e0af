// Reporting grades: the terminal table a student reads, and files tools read.
#pragma once

#include "catalog.hpp"
#include "launch.hpp"
#include "results.hpp"
#include "terminal.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace bnkit::cli {

struct GradeReport {
  bool reference = false;  ///< graded solutions/ instead of lessons/
  bool verbose = false;    ///< every failure of every lesson, not just the next one to fix
  std::vector<Lesson> lessons;
  std::vector<runner::LessonResult> results;  ///< parallel to lessons
  sandbox::Level level = sandbox::Level::kFull;  ///< the protection the code ran under
  std::optional<std::uint64_t> seed;             ///< instructor mode (--hidden): the hidden tests' seed

  int earned() const;
  int possible() const;
};

/// The table with progress bars, the failures of the lesson to work on next, and the
/// next step to take.
void print_report(const GradeReport& report, const Style& style);

/// Writes `path` as JSON (schema: docs/grading.md), atomically: a crash mid-write never
/// leaves a half-written file in place of the last good one. Throws naming the path.
void write_json(const GradeReport& report, const std::string& path);

/// One line per lesson, "id<TAB>status<TAB>earned<TAB>possible", for `bnkit list`.
void write_status(const GradeReport& report, const std::string& path);

}  // namespace bnkit::cli
