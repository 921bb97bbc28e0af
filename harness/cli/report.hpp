// Reporting grades: the terminal table a student reads, and files tools read.
#pragma once

#include "catalog.hpp"
#include "results.hpp"
#include "terminal.hpp"

#include <string>
#include <vector>

namespace bnkit::cli {

struct GradeReport {
  bool reference = false;  ///< graded solutions/ instead of lessons/
  bool verbose = false;    ///< every failure of every lesson, not just the next one to fix
  std::vector<Lesson> lessons;
  std::vector<runner::LessonResult> results;  ///< parallel to lessons

  int earned() const;
  int possible() const;
};

/// The table with progress bars, the failures of the lesson to work on next, and the
/// next step to take.
void print_report(const GradeReport& report, const Style& style);

/// Writes `path` as JSON (every lesson, every test, messages and diagnoses), atomically:
/// a crash mid-write never leaves a half-written file in place of the last good one.
void write_json(const GradeReport& report, const std::string& path);

/// One line per lesson, "id<TAB>status<TAB>earned<TAB>possible", for `bnkit list`.
void write_status(const GradeReport& report, const std::string& path);

}  // namespace bnkit::cli
