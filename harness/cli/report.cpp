#include "report.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

namespace bnkit::cli {

using runner::LessonResult;
using runner::LessonStatus;
using runner::TestResult;
using runner::TestStatus;

int GradeReport::earned() const {
  int sum = 0;
  for (const auto& r : results) sum += r.earned();
  return sum;
}

int GradeReport::possible() const {
  int sum = 0;
  for (const auto& r : results) sum += r.possible();
  return sum;
}

namespace {

/// Width on screen: code points, not bytes, so titles with "·" line up.
std::size_t display_width(const std::string& s) {
  std::size_t chars = 0;
  for (unsigned char c : s) chars += (c & 0xC0) != 0x80;
  return chars;
}

std::string pad(const std::string& s, std::size_t width) {
  const std::size_t w = display_width(s);
  return w >= width ? s : s + std::string(width - w, ' ');
}

std::string status_text(const LessonResult& r, const Style& style) {
  int failing = 0, todo = 0;
  for (const TestResult& t : r.tests) {
    failing += !t.passed() && t.status != TestStatus::kNotStarted;
    todo += t.status == TestStatus::kNotStarted;
  }
  switch (r.status) {
    case LessonStatus::kComplete: return style.green("complete");
    case LessonStatus::kNotStarted: return style.dim("not started");
    case LessonStatus::kDoesNotCompile: return style.red("does not compile");
    case LessonStatus::kBroken: return style.red("could not be graded");
    case LessonStatus::kInProgress: {
      std::string s = std::to_string(failing) + " failing";
      if (todo > 0) s += ", " + std::to_string(todo) + " still at a TODO";
      return style.yellow("in progress: " + s);
    }
  }
  return "";
}

/// The first `max_lines` lines of a message, indented.
std::string indent(const std::string& text, const std::string& prefix, int max_lines) {
  std::istringstream in(text);
  std::ostringstream out;
  int n = 0;
  for (std::string line; std::getline(in, line);) {
    if (n++ == max_lines) {
      out << prefix << "...\n";
      break;
    }
    out << prefix << line << "\n";
  }
  return out.str();
}

void print_failures(const Lesson& lesson, const LessonResult& r, const Style& style, bool verbose) {
  std::cout << "\n" << style.bold(lesson.title) << "\n";
  if (r.status == LessonStatus::kDoesNotCompile || r.status == LessonStatus::kBroken) {
    std::cout << r.detail << "\n";
    return;
  }
  int shown = 0;
  for (const TestResult& t : r.tests) {
    if (t.passed()) continue;
    if (!verbose && shown == 4) {
      std::cout << style.dim("  ... more: ./bnkit grade " + lesson.number + " --verbose") << "\n";
      break;
    }
    ++shown;
    const std::string mark = style.unicode() ? "✗ " : "x ";
    std::cout << "  " << style.red(mark) << t.name << style.dim(" (" + std::to_string(t.points) + " pts, " +
                                                              runner::to_string(t.status) + ")")
              << "\n"
              << indent(t.message, "      ", verbose ? 60 : 12);
  }
}

std::string json_escape(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out;
}

void write_atomically(const std::string& path, const std::string& text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary);
    out << text;
    if (!out) throw std::runtime_error("cannot write " + tmp);
  }
  std::filesystem::rename(tmp, path);
}

}  // namespace

void print_report(const GradeReport& report, const Style& style) {
  std::cout << style.bold(report.reference ? "bnkit grade · the reference solutions (solutions/)"
                                           : "bnkit grade · your code (lessons/)")
            << "\n\n";
  std::size_t title_width = 0;
  for (const Lesson& l : report.lessons) title_width = std::max(title_width, display_width(l.title));
  for (std::size_t i = 0; i < report.lessons.size(); ++i) {
    const LessonResult& r = report.results[i];
    char points[32];
    if (r.tests.empty()) std::snprintf(points, sizeof points, "  -/-  ");  // nothing could run
    else std::snprintf(points, sizeof points, "%3d/%-3d", r.earned(), r.possible());
    std::cout << "  " << pad(report.lessons[i].title, title_width) << "  "
              << style.bar(r.earned(), r.possible()) << "  " << points << "  "
              << status_text(r, style) << "\n";
  }
  const int earned = report.earned(), possible = report.possible();
  std::cout << "\n  " << style.bold("Total " + std::to_string(earned) + "/" + std::to_string(possible) + " points")
            << " (" << (possible ? 100 * earned / possible : 0) << "%)\n";

  // The lesson to work on next: the first one not complete.
  const Lesson* next = nullptr;
  for (std::size_t i = 0; i < report.lessons.size(); ++i) {
    const LessonResult& r = report.results[i];
    const bool show = r.status != LessonStatus::kComplete &&
                      (report.verbose || !next) && r.status != LessonStatus::kNotStarted;
    if (show) print_failures(report.lessons[i], r, style, report.verbose);
    if (!next && r.status != LessonStatus::kComplete) next = &report.lessons[i];
  }

  std::cout << "\n";
  if (!next) {
    std::cout << style.green(report.lessons.size() > 1 ? "Every lesson graded here is complete."
                                                       : "This lesson is complete.")
              << (report.reference ? "" : " Compare with the reference: solutions/<lesson>/") << "\n";
    return;
  }
  const std::size_t at = static_cast<std::size_t>(next - report.lessons.data());
  const LessonResult& r = report.results[at];
  const std::string rel = "lessons/" + next->id + "/";
  if (report.reference) {
    std::cout << "The reference solution of " << next->id << " does not get full marks: that is a kit bug.\n";
  } else if (r.status == LessonStatus::kNotStarted) {
    std::cout << "Next: lesson " << next->number << ". Read " << rel << "README.md, then complete "
              << rel << next->topic << ".cpp\n      and check it with " << style.bold("./bnkit grade " + next->number)
              << ". Stuck? ./bnkit hint " << next->number << "\n";
  } else {
    std::cout << "Next: fix " << rel << next->topic << ".cpp, then " << style.bold("./bnkit grade " + next->number)
              << ". Stuck? ./bnkit hint " << next->number << "\n";
  }
}

void write_json(const GradeReport& report, const std::string& path) {
  std::ostringstream j;
  j << "{\n  \"kit\": \"bnkit\",\n  \"graded\": \"" << (report.reference ? "reference" : "student")
    << "\",\n  \"earned\": " << report.earned() << ",\n  \"possible\": " << report.possible()
    << ",\n  \"lessons\": [";
  for (std::size_t i = 0; i < report.results.size(); ++i) {
    const LessonResult& r = report.results[i];
    j << (i ? "," : "") << "\n    {\"id\": \"" << r.id << "\", \"title\": \"" << json_escape(report.lessons[i].title)
      << "\", \"status\": \"" << runner::to_string(r.status) << "\", \"earned\": " << r.earned()
      << ", \"possible\": " << r.possible() << ", \"detail\": \"" << json_escape(r.detail) << "\", \"tests\": [";
    for (std::size_t k = 0; k < r.tests.size(); ++k) {
      const TestResult& t = r.tests[k];
      j << (k ? "," : "") << "\n      {\"name\": \"" << t.name << "\", \"points\": " << t.points
        << ", \"earned\": " << t.earned() << ", \"status\": \"" << runner::to_string(t.status)
        << "\", \"diagnosis\": \"" << t.diagnosis << "\", \"seconds\": " << t.seconds
        << ", \"message\": \"" << json_escape(t.message) << "\"}";
    }
    j << "]}";
  }
  j << "\n  ]\n}\n";
  write_atomically(path, j.str());
}

void write_status(const GradeReport& report, const std::string& path) {
  // Merge with what earlier runs recorded for lessons not graded this time.
  std::map<std::string, std::string> rows;
  {
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);) rows[line.substr(0, line.find('\t'))] = line;
  }
  for (const LessonResult& r : report.results) {
    rows[r.id] = r.id + "\t" + runner::to_string(r.status) + "\t" + std::to_string(r.earned()) + "\t" +
                 std::to_string(r.possible());
  }
  std::string text;
  for (const auto& [id, row] : rows) text += row + "\n";
  write_atomically(path, text);
}

}  // namespace bnkit::cli
