#include "grading.hpp"

#include "process.hpp"
#include "result_protocol.hpp"

#include <chrono>
#include <filesystem>
#include <memory>
#include <sstream>
#include <thread>

namespace bnkit::runner {

namespace fs = std::filesystem;

namespace {

struct ManifestEntry {
  std::string name;
  int points = 0;
};

/// The last `n` lines of a text, for context after a crash.
std::string tail(const std::string& text, int n) {
  std::size_t pos = text.size();
  for (int i = 0; i <= n && pos > 0; ++i) {
    pos = text.rfind('\n', pos - 1);
    if (pos == std::string::npos) return text;
  }
  return text.substr(pos + 1);
}

struct ParsedResult {
  bool finished = false;
  std::string outcome;
  bool todo_reached = false;
  std::string failures;
};

ParsedResult parse_result_file(const std::string& path) {
  ParsedResult r;
  const std::string text = read_file(path);
  std::istringstream in(text);
  std::string line;
  if (!std::getline(in, line) || line != protocol::kResultHeader) return r;
  while (std::getline(in, line)) {
    if (line.rfind("outcome ", 0) == 0) {
      r.finished = true;
      r.outcome = line.substr(8);
    } else if (line.rfind("todo_reached ", 0) == 0) {
      r.todo_reached = line.substr(13) == "1";
    } else if (line.rfind("failure ", 0) == 0) {
      const std::size_t n = std::stoul(line.substr(8));
      std::string body(n, '\0');
      in.read(body.data(), static_cast<std::streamsize>(n));
      in.ignore(1);  // the newline after the message
      if (!r.failures.empty()) r.failures += "\n";
      r.failures += body;
    }
  }
  return r;
}

TestResult classify(const ManifestEntry& entry, const ProcessOutcome& proc,
                    const ParsedResult& result, const std::string& output, double timeout_s) {
  TestResult t;
  t.name = entry.name;
  t.points = entry.points;
  t.seconds = proc.seconds;
  using Kind = ProcessOutcome::Kind;
  if (proc.kind == Kind::kTimedOut) {
    t.status = TestStatus::kTimedOut;
    std::ostringstream m;
    m << "stopped after " << timeout_s << " s: an endless loop, or far too much work?";
    t.message = m.str();
  } else if (proc.kind == Kind::kCouldNotStart) {
    t.status = TestStatus::kCrashed;
    t.message = "the test process could not be started";
  } else if (!result.finished) {
    if (proc.kind == Kind::kSignalled) {
      t.status = TestStatus::kCrashed;
      t.message = "crashed with " + signal_name(proc.code);
    } else {
      t.status = TestStatus::kExited;
      t.message = "the process exited with code " + std::to_string(proc.code) +
                  " before the test finished (exit(), std::exit or abort in the code under test?)";
    }
    const std::string last = tail(output, 12);
    if (!last.empty()) t.message += "\n  last output:\n" + last;
  } else if (result.outcome == "passed" && proc.kind == Kind::kExited && proc.code == 0) {
    t.status = TestStatus::kPassed;
  } else if (result.outcome == "passed") {
    // The checks passed but the process then died: the result cannot be trusted.
    t.status = proc.kind == Kind::kSignalled ? TestStatus::kCrashed : TestStatus::kExited;
    t.message = "the checks passed but the process then ended abnormally (" +
                (proc.kind == Kind::kSignalled ? signal_name(proc.code)
                                               : "exit code " + std::to_string(proc.code)) +
                ")";
  } else {
    t.status = result.todo_reached ? TestStatus::kNotStarted : TestStatus::kFailed;
    t.message = result.outcome == "skipped" ? "the test was skipped" : result.failures;
  }
  t.diagnosis = diagnosis_in(t.message);
  return t;
}

}  // namespace

std::string diagnosis_in(const std::string& message) {
  const std::string marker = "Looks like a known mistake [";
  const auto at = message.find(marker);
  if (at == std::string::npos) return "";
  const auto start = at + marker.size();
  const auto end = message.find(']', start);
  return end == std::string::npos ? "" : message.substr(start, end - start);
}

LessonResult grade_binary(const std::string& lesson_id, const std::string& binary,
                          const GradingOptions& options) {
  LessonResult lesson;
  lesson.id = lesson_id;
  const fs::path scratch = options.scratch_dir;
  fs::create_directories(scratch);

  // 1. The manifest: which tests, worth how much.
  const std::string manifest_out = (scratch / "manifest.txt").string();
  const ProcessOutcome listed =
      run_process({binary, protocol::kManifestFlag}, manifest_out, options.timeout_s);
  const std::string manifest_text = read_file(manifest_out);
  if (listed.kind != ProcessOutcome::Kind::kExited || listed.code != 0) {
    lesson.status = LessonStatus::kBroken;
    lesson.detail = "the test binary could not list its tests:\n" + tail(manifest_text, 20);
    return lesson;
  }
  std::vector<ManifestEntry> manifest;
  std::istringstream in(manifest_text);
  for (std::string line; std::getline(in, line);) {
    const auto tab = line.find('\t');
    if (tab == std::string::npos) continue;  // stray output from static initialisers
    manifest.push_back({line.substr(0, tab), std::stoi(line.substr(tab + 1))});
  }

  // 2. Every test in a process of its own, `jobs` at a time.
  struct Running {
    std::size_t index;
    std::unique_ptr<Child> child;
  };
  auto result_path = [&](std::size_t i) { return (scratch / (std::to_string(i) + ".result")).string(); };
  auto output_path = [&](std::size_t i) { return (scratch / (std::to_string(i) + ".out")).string(); };
  lesson.tests.resize(manifest.size());
  std::vector<Running> running;
  std::size_t next = 0;
  while (next < manifest.size() || !running.empty()) {
    while (next < manifest.size() && static_cast<int>(running.size()) < options.jobs) {
      fs::remove(result_path(next));
      running.push_back({next, std::make_unique<Child>(
                                   std::vector<std::string>{
                                       binary, "--gtest_filter=" + manifest[next].name,
                                       std::string(protocol::kResultFlag) + result_path(next)},
                                   output_path(next), options.timeout_s)});
      ++next;
    }
    bool any_done = false;
    for (auto it = running.begin(); it != running.end();) {
      if (it->child->poll()) {
        const std::size_t i = it->index;
        lesson.tests[i] = classify(manifest[i], it->child->outcome(),
                                   parse_result_file(result_path(i)), read_file(output_path(i)),
                                   options.timeout_s);
        it = running.erase(it);
        any_done = true;
      } else {
        ++it;
      }
    }
    if (!any_done) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  lesson.status = summarise(lesson.tests);
  if (lesson.status == LessonStatus::kBroken) lesson.detail = "the test binary has no graded tests";
  return lesson;
}

}  // namespace bnkit::runner
