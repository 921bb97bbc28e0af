// The lessons: from the lessons manifest (CMake lists the lesson folders), with their hints.
#pragma once

#include "lessons_manifest.hpp"

#include <optional>
#include <string>
#include <vector>

namespace bnkit::cli {

struct Lesson {
  std::string id;      ///< "01_batch_statistics"
  std::string number;  ///< "01"
  std::string topic;   ///< "batch_statistics"
  std::string title;   ///< first heading of the README, e.g. "01 · Batch statistics"
  std::string dir;     ///< absolute path of lessons/NN_topic
  runner::LessonEntry entry;  ///< its line of the lessons manifest: targets, uses, tests

  std::string stub_path() const { return dir + "/" + topic + ".cpp"; }
  /// The trusted test binary (tests, golden data, proxies: no lesson code).
  const std::string& tests_target() const { return entry.tests_target; }
  /// Worker libraries: the student's code, or the reference solution.
  const std::string& student_target() const { return entry.student_target; }
  const std::string& reference_target() const { return entry.reference_target; }
};

/// Every lesson of the lessons manifest (`manifest`, written by CMake from the lesson
/// folders), in order, with its title from lessons/NN_topic/README.md under `lessons_dir`.
/// Throws std::runtime_error when the manifest cannot be read.
std::vector<Lesson> discover_lessons(const std::string& lessons_dir, const std::string& manifest);

/// The lesson a user means by "01", "1", "01_batch_statistics" or "batch_statistics".
std::optional<Lesson> find_lesson(const std::vector<Lesson>& lessons, const std::string& name);

/// The hint levels of a lesson's hints.md ("## Hint N" sections), in order.
std::vector<std::string> read_hints(const Lesson& lesson);

}  // namespace bnkit::cli
