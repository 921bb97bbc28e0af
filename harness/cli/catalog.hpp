// The lessons on disk: lessons/NN_topic/ folders, found by name, with their hints.
#pragma once

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

  std::string stub_path() const { return dir + "/" + topic + ".cpp"; }
  /// The trusted test binary (tests, golden data, proxies: no lesson code).
  std::string tests_target() const { return "lesson" + number + "_tests"; }
  /// Worker libraries: the student's code, or the reference solution.
  std::string student_target() const { return "lesson" + number + "_student"; }
  std::string reference_target() const { return "lesson" + number + "_reference"; }
};

/// Every lesson under `lessons_dir`, in order.
std::vector<Lesson> discover_lessons(const std::string& lessons_dir);

/// The lesson a user means by "01", "1", "01_batch_statistics" or "batch_statistics".
std::optional<Lesson> find_lesson(const std::vector<Lesson>& lessons, const std::string& name);

/// The hint levels of a lesson's hints.md ("## Hint N" sections), in order.
std::vector<std::string> read_hints(const Lesson& lesson);

}  // namespace bnkit::cli
