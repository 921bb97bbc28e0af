#include "lesson_args.hpp"

#include "paths.hpp"

#include <iostream>

namespace bnkit::cli {

std::string valid_lessons_text(const std::vector<Lesson>& lessons) {
  std::string s;
  for (const Lesson& l : lessons) s += (s.empty() ? "" : ", ") + l.number + " (" + l.id + ")";
  return s;
}

std::optional<std::vector<Lesson>> select_lessons(const std::vector<std::string>& names) {
  std::vector<Lesson> all;
  try {
    all = discover_lessons(lessons_dir(), lessons_manifest());
  } catch (const std::exception& e) {
    std::cerr << "bnkit: " << e.what() << "\n";
    return std::nullopt;
  }
  if (all.empty()) {
    std::cerr << "bnkit: no lessons found in " << lessons_dir() << "\n";
    return std::nullopt;
  }
  if (names.empty()) return all;
  std::vector<Lesson> chosen;
  for (const std::string& name : names) {
    auto lesson = find_lesson(all, name);
    if (!lesson) {
      std::cerr << "bnkit: unknown lesson '" << name << "'. Valid lessons: " << valid_lessons_text(all) << "\n";
      return std::nullopt;
    }
    chosen.push_back(*lesson);
  }
  return chosen;
}

}  // namespace bnkit::cli
