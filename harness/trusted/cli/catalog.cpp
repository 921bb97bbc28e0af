#include "catalog.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>

namespace bnkit::cli {

namespace fs = std::filesystem;

namespace {

std::string first_heading(const std::string& readme) {
  std::ifstream in(readme);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("# ", 0) == 0) return line.substr(2);
  }
  return "";
}

}  // namespace

std::vector<Lesson> discover_lessons(const std::string& lessons_dir, const std::string& manifest) {
  std::vector<Lesson> lessons;
  for (runner::LessonEntry& entry : runner::read_lessons_manifest(manifest)) {
    Lesson l;
    l.id = entry.id;
    l.number = entry.number;
    l.topic = entry.topic;
    l.dir = (fs::path(lessons_dir) / entry.id).string();
    l.title = first_heading(l.dir + "/README.md");
    if (l.title.empty()) l.title = l.id;
    l.entry = std::move(entry);
    lessons.push_back(std::move(l));
  }
  return lessons;
}

std::optional<Lesson> find_lesson(const std::vector<Lesson>& lessons, const std::string& name) {
  const std::string padded = name.size() == 1 && std::isdigit(static_cast<unsigned char>(name[0])) ? "0" + name : name;
  for (const Lesson& l : lessons) {
    if (padded == l.number || name == l.id || name == l.topic) return l;
  }
  return std::nullopt;
}

std::vector<std::string> read_hints(const Lesson& lesson) {
  std::vector<std::string> hints;
  std::ifstream in(lesson.dir + "/hints.md");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("## Hint", 0) == 0) {
      hints.emplace_back();
    } else if (!hints.empty()) {
      hints.back() += line + "\n";
    }
  }
  for (std::string& h : hints) {  // trim blank lines at both ends
    while (!h.empty() && (h.front() == '\n')) h.erase(0, 1);
    while (h.size() > 1 && h[h.size() - 1] == '\n' && h[h.size() - 2] == '\n') h.pop_back();
  }
  return hints;
}

}  // namespace bnkit::cli
