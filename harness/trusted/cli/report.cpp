#include "report.hpp"

#include <fmt/format.h>

#include <cctype>
#include <algorithm>
#include <nlohmann/json.hpp>

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

constexpr std::size_t kColumns = 100;  // every line of the report fits this width

/// `text` indented by `prefix`, each line wrapped at spaces to kColumns (a continuation is
/// indented two more), at most `max_lines` lines (then "...").
std::string indent(const std::string& text, const std::string& prefix, int max_lines) {
  std::istringstream in(text);
  std::ostringstream out;
  int n = 0;
  auto emit = [&](const std::string& line) {
    if (n++ == max_lines) {
      out << prefix << "...\n";
      return false;
    }
    if (n <= max_lines) out << prefix << line << "\n";
    return n <= max_lines;
  };
  for (std::string line; std::getline(in, line);) {
    const std::size_t width = kColumns > prefix.size() + 20 ? kColumns - prefix.size() : 20;
    std::string lead;  // a continuation keeps the line's own indent, plus two
    for (char c : line) {
      if (c != ' ') break;
      lead += ' ';
    }
    while (display_width(line) > width) {
      std::size_t cut = line.rfind(' ', width);
      if (cut == std::string::npos || cut <= lead.size() + 2) cut = width;
      if (!emit(line.substr(0, cut))) return out.str();
      line = lead + "  " + line.substr(line[cut] == ' ' ? cut + 1 : cut);
    }
    if (!emit(line)) return out.str();
  }
  return out.str();
}

/// The first line of a message, cut to fit one report line after `used` columns.
std::string first_line(const std::string& text, std::size_t used) {
  std::string line = text.substr(0, text.find('\n'));
  const std::size_t room = kColumns > used + 10 ? kColumns - used : 10;
  if (display_width(line) > room) line = line.substr(0, room - 3) + "...";
  return line;
}

void print_failures(const Lesson& lesson, const LessonResult& r, const Style& style, bool verbose) {
  std::cout << "\n" << style.bold(lesson.title) << "\n";
  if (r.status == LessonStatus::kDoesNotCompile || r.status == LessonStatus::kBroken) {
    std::cout << indent(printable(r.detail), "", verbose ? 400 : 30);
    return;
  }
  // By default the report fits a screen: the first failure in full, the others a line each.
  int shown = 0;
  for (const TestResult& t : r.tests) {
    if (t.passed() || t.status == TestStatus::kNotRun) continue;
    const std::string mark = style.unicode() ? "✗ " : "x ";
    const std::string head = t.name + " (" + std::to_string(t.points) + " pts, " + runner::to_string(t.status) + ")";
    if (!verbose && shown > 0) {
      std::cout << "  " << style.red(mark) << head << ": "
                << style.dim(first_line(printable(t.message), 2 + 2 + display_width(head) + 2)) << "\n";
      continue;
    }
    ++shown;
    std::cout << "  " << style.red(mark) << t.name
              << style.dim(" (" + std::to_string(t.points) + " pts, " + runner::to_string(t.status) + ")") << "\n"
              << indent(printable(t.message), "      ", verbose ? 400 : 40);
    if (!t.output.empty()) {
      std::cout << style.dim("      your code printed:") << "\n" << indent(printable(t.output), "        ", verbose ? 100 : 6);
    }
  }
  if (!verbose && shown > 0) std::cout << style.dim("  every message in full: ./bnkit grade " + lesson.number + " --verbose") << "\n";
}

void write_atomically(const std::string& path, const std::string& text) {
  std::error_code dir_error;
  const auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, dir_error);
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary);
    out << text;
    if (!out) throw std::runtime_error("cannot write " + tmp);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) throw std::runtime_error("cannot write " + path + ": " + ec.message());
}

/// The earlier lessons whose TODO a lesson's tests reached ("not implemented yet: lesson 04,
/// ..."): a lesson that runs their code (lesson 12) cannot pass until they are done.
std::vector<std::string> earlier_lessons_at_a_todo(const LessonResult& r, const std::string& number) {
  std::vector<std::string> out;
  const std::string marker = "not implemented yet: lesson ";
  for (const TestResult& t : r.tests) {
    if (t.status != TestStatus::kNotStarted) continue;
    const auto at = t.message.find(marker);
    if (at == std::string::npos || t.message.size() < at + marker.size() + 2) continue;
    const std::string n = t.message.substr(at + marker.size(), 2);
    if (n != number && std::isdigit(static_cast<unsigned char>(n[0])) && std::isdigit(static_cast<unsigned char>(n[1])) &&
        std::find(out.begin(), out.end(), n) == out.end()) {
      out.push_back(n);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace



void print_report(const GradeReport& report, const Style& style) {
  std::cout << style.bold(report.reference ? "bnkit grade · the reference solutions (solutions/)"
                                           : "bnkit grade · your code (lessons/)")
            << "\n";
  std::cout << style.dim("  sandbox: " + sandbox::describe(report.level)) << "\n";
  if (report.seed) {
    std::cout << style.dim("  instructor mode: hidden tests with seed " + std::to_string(*report.seed) +
                           " (--seed " + std::to_string(*report.seed) + " reproduces this run)")
              << "\n";
  }
  std::cout << "\n";
  std::size_t title_width = 0;
  for (const Lesson& l : report.lessons) title_width = std::max(title_width, display_width(l.title));
  for (std::size_t i = 0; i < report.lessons.size(); ++i) {
    const LessonResult& r = report.results[i];
    const std::string points = r.tests.empty() ? "  ?/?  "  // a kit bug: no manifest
                                               : fmt::format("{:3d}/{:<3d}", r.earned(), r.possible());
    std::cout << "  " << pad(report.lessons[i].title, title_width) << "  "
              << style.bar(r.earned(), r.possible()) << "  " << points << "  "
              << status_text(r, style) << "\n";
  }
  const int earned = report.earned(), possible = report.possible();
  std::cout << "\n  " << style.bold("Total " + std::to_string(earned) + "/" + std::to_string(possible) + " points")
            << " (" << (possible ? 100 * earned / possible : 0) << "%)\n";
  if (report.seed) {
    int visible = 0, visible_possible = 0, hidden = 0, hidden_possible = 0;
    for (const LessonResult& r : report.results) {
      visible += r.earned(false);
      visible_possible += r.possible(false);
      hidden += r.earned(true);
      hidden_possible += r.possible(true);
    }
    std::cout << "    visible tests " << visible << "/" << visible_possible << ", hidden tests " << hidden << "/"
              << hidden_possible << "\n";
  }

  // Warnings in the student's own files, briefly, even where everything passes.
  for (std::size_t i = 0; i < report.lessons.size(); ++i) {
    const LessonResult& r = report.results[i];
    if (r.warnings.empty() || r.status == LessonStatus::kDoesNotCompile) continue;
    std::cout << "\n" << style.yellow("Warnings in " + report.lessons[i].id + " (it compiles; worth a look):") << "\n"
              << indent(printable(r.warnings), "  ", report.verbose ? 100 : 10);
  }

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
              << (report.reference || report.lessons.size() != 1
                      ? ""
                      : " Compare with the reference: solutions/" + report.lessons.front().id + "/")
              << "\n";
    return;
  }
  const std::size_t at = static_cast<std::size_t>(next - report.lessons.data());
  const LessonResult& r = report.results[at];
  const std::string rel = "lessons/" + next->id + "/";
  const std::vector<std::string> unfinished = earlier_lessons_at_a_todo(r, next->number);
  if (report.reference) {
    std::cout << "The reference solution of " << next->id << " does not get full marks: that is a kit bug.\n";
  } else if (!unfinished.empty()) {
    std::string numbers;
    for (const std::string& n : unfinished) numbers += (numbers.empty() ? "" : " ") + n;
    std::cout << "Next: lesson " << next->number << " runs your code of lesson" << (unfinished.size() > 1 ? "s " : " ")
              << numbers << ", still at a TODO there.\n      Finish " << (unfinished.size() > 1 ? "them" : "it")
              << " first (" << style.bold("./bnkit grade " + numbers) << "), then ./bnkit grade " << next->number
              << ".\n";
  } else if (r.status == LessonStatus::kNotStarted) {
    std::cout << "Next: lesson " << next->number << ". Read " << rel << "README.md, then complete "
              << rel << next->topic << ".cpp\n      and check it with " << style.bold("./bnkit grade " + next->number)
              << ". Stuck? ./bnkit hint " << next->number << "\n";
  } else {
    std::cout << "Next: fix " << (r.file_to_fix.empty() ? rel + next->topic + ".cpp" : r.file_to_fix) << ", then " << style.bold("./bnkit grade " + next->number)
              << ". Stuck? ./bnkit hint " << next->number << "\n";
  }
}

void write_json(const GradeReport& report, const std::string& path) {
  using nlohmann::json;
  json lessons = json::array();
  int hidden_earned = 0, hidden_possible = 0;
  for (std::size_t i = 0; i < report.results.size(); ++i) {
    const LessonResult& r = report.results[i];
    json tests = json::array();
    for (const TestResult& t : r.tests) {
      tests.push_back({{"name", t.name},
                       {"points", t.points},
                       {"earned", t.earned()},
                       {"status", runner::to_string(t.status)},
                       {"visibility", t.hidden ? "hidden" : "visible"},
                       {"diagnosis", t.diagnosis},
                       {"seconds", t.seconds},
                       {"message", t.message},
                       {"output", t.output}});
    }
    hidden_earned += r.earned(true);
    hidden_possible += r.possible(true);
    lessons.push_back({{"id", r.id},
                       {"title", report.lessons[i].title},
                       {"status", runner::to_string(r.status)},
                       {"earned", r.earned()},
                       {"possible", r.possible()},
                       {"detail", r.detail},
                       {"warnings", r.warnings},
                       {"tests", tests}});
  }
  json j = {{"kit", "bnkit"},
            {"schema", 2},
            {"graded", report.reference ? "reference" : "student"},
            {"sandbox", sandbox::to_string(report.level)},
            {"earned", report.earned()},
            {"possible", report.possible()},
            {"visible", {{"earned", report.earned() - hidden_earned}, {"possible", report.possible() - hidden_possible}}},
            {"hidden", {{"earned", hidden_earned}, {"possible", hidden_possible}}},
            {"seed", report.seed ? json(*report.seed) : json(nullptr)},
            {"lessons", lessons}};
  // Invalid UTF-8 from a submission is replaced, never a reason to lose the results.
  write_atomically(path, j.dump(2, ' ', false, json::error_handler_t::replace) + "\n");
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
