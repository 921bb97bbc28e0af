// The lessons manifest, BUILD_DIR/lessons.json, written by CMake (harness/cmake/lessons.cmake)
// from the lesson folders: what each lesson is called, its targets, the lessons it uses,
// where its stub's fingerprints are, and its graded tests as read from their sources. The
// CLI reads it instead of restating target names; the stub check proves the test list.
#pragma once

#include "results.hpp"

#include <string>
#include <vector>

namespace bnkit::runner {

struct LessonEntry {
  std::string id;      ///< "01_batch_statistics"
  std::string number;  ///< "01"
  std::string topic;   ///< "batch_statistics"
  std::string tests_target, student_target, reference_target;
  std::vector<std::string> uses;  ///< earlier lessons whose code its workers link
  std::string stub_fingerprints;  ///< relative to the kit root, a sha256sum file
  std::vector<TestResult> tests;  ///< name, points and hidden of every graded test
};

/// Every lesson of the manifest, in order. Throws std::runtime_error naming the file and
/// what is wrong with it.
std::vector<LessonEntry> read_lessons_manifest(const std::string& path);

}  // namespace bnkit::runner
