#include "catalog.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>

namespace bnkit::cli {

namespace fs = std::filesystem;

namespace {

bool is_lesson_dir(const std::string& name) {
  return name.size() > 3 && std::isdigit(static_cast<unsigned char>(name[0])) &&
         std::isdigit(static_cast<unsigned char>(name[1])) && name[2] == '_';
}

std::string first_heading(const std::string& readme) {
  std::ifstream in(readme);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("# ", 0) == 0) return line.substr(2);
  }
  return "";
}

}  // namespace

std::vector<Lesson> discover_lessons(const std::string& lessons_dir) {
  std::vector<Lesson> lessons;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(lessons_dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_directory() || !is_lesson_dir(name)) continue;
    Lesson l;
    l.id = name;
    l.number = name.substr(0, 2);
    l.topic = name.substr(3);
    l.dir = entry.path().string();
    l.title = first_heading(l.dir + "/README.md");
    if (l.title.empty()) l.title = l.id;
    lessons.push_back(l);
  }
  std::sort(lessons.begin(), lessons.end(), [](const Lesson& a, const Lesson& b) { return a.id < b.id; });
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
