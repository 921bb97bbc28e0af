#include "grading.hpp"

#include "process.hpp"
#include "result_protocol.hpp"

#include <chrono>
#include <filesystem>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace bnkit::runner {

namespace fs = std::filesystem;

namespace {

/// The last `n` lines of a text ("" for an empty one).
std::string tail(const std::string& text, int n) {
  std::size_t pos = text.size();
  for (int i = 0; i < n && pos > 0; ++i) {
    const std::size_t nl = text.rfind('\n', pos - 1);
    if (nl == std::string::npos) return text;
    pos = nl;
  }
  return pos < text.size() ? text.substr(pos + 1) : text;
}

struct ParsedResult {
  bool finished = false;
  std::string outcome;
  bool todo_reached = false;
  std::string failures;
  std::string output;
};

/// Reads a result file. Its writer is trusted, but the file is read defensively anyway:
/// a malformed one reads as a test that did not finish.
ParsedResult parse_result_file(const std::string& path) {
  ParsedResult r;
  std::istringstream in(read_file(path, 64 << 20));
  std::string line;
  if (!std::getline(in, line) || line != protocol::kResultHeader) return r;
  auto block = [&](const std::string& count) -> std::string {
    std::size_t n = 0;
    try {
      n = std::stoul(count);
    } catch (const std::exception&) {
      return "";
    }
    std::string body(n, '\0');
    in.read(body.data(), static_cast<std::streamsize>(n));
    body.resize(static_cast<std::size_t>(in.gcount()));
    in.ignore(1);  // the newline after the block
    return body;
  };
  while (std::getline(in, line)) {
    if (line.rfind("outcome ", 0) == 0) {
      r.finished = true;
      r.outcome = line.substr(8);
    } else if (line.rfind("todo_reached ", 0) == 0) {
      r.todo_reached = line.substr(13) == "1";
    } else if (line.rfind("failure ", 0) == 0) {
      const std::string body = block(line.substr(8));
      if (!r.failures.empty()) r.failures += "\n";
      r.failures += body;
    } else if (line.rfind("output ", 0) == 0) {
      r.output = block(line.substr(7));
    }
  }
  return r;
}

void classify(TestResult& t, const ProcessOutcome& proc, const ParsedResult& result, const std::string& output,
              double timeout_s) {
  t.seconds = proc.seconds;
  t.output = result.output;
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
    // The test binary is kit code: if it died, say so plainly.
    t.status = proc.kind == Kind::kSignalled ? TestStatus::kCrashed : TestStatus::kExited;
    t.message = "the grader's test process ended before the test finished (" +
                (proc.kind == Kind::kSignalled ? signal_name(proc.code) : "exit code " + std::to_string(proc.code)) +
                "): a kit bug, please report it";
    const std::string last = tail(output, 12);
    if (!last.empty()) t.message += "\n  last output:\n" + last;
  } else if (result.outcome == "passed" && proc.kind == Kind::kExited && proc.code == 0) {
    t.status = TestStatus::kPassed;
  } else if (result.outcome == "passed") {
    t.status = proc.kind == Kind::kSignalled ? TestStatus::kCrashed : TestStatus::kExited;
    t.message = "the checks passed but the test process then ended abnormally";
  } else {
    t.status = result.todo_reached ? TestStatus::kNotStarted : TestStatus::kFailed;
    t.message = result.outcome == "skipped" ? "the test was skipped" : result.failures;
  }
  t.diagnosis = diagnosis_in(t.message);
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

std::vector<TestResult> read_manifest(const std::string& binary, const GradingOptions& options) {
  fs::create_directories(options.scratch_dir);
  const std::string out = (fs::path(options.scratch_dir) / "manifest.txt").string();
  std::vector<std::string> argv = {binary, protocol::kManifestFlag};
  if (options.hidden) argv.emplace_back(protocol::kHiddenFlag);
  const ProcessOutcome listed = run_process(argv, out, 60.0);
  const std::string text = read_file(out, 1 << 20);
  if (listed.kind != ProcessOutcome::Kind::kExited || listed.code != 0) {
    throw std::runtime_error("the test binary " + binary + " could not list its tests:\n" + tail(text, 20));
  }
  std::vector<TestResult> tests;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    std::istringstream row(line);
    TestResult t;
    std::string points, visibility;
    if (!std::getline(row, t.name, '\t') || !std::getline(row, points, '\t') || !std::getline(row, visibility)) continue;
    t.points = std::stoi(points);
    t.hidden = visibility == "hidden";
    t.status = TestStatus::kNotRun;
    tests.push_back(t);
  }
  return tests;
}

LessonResult grade_binary(const std::string& lesson_id, const std::string& binary,
                          const GradingOptions& options) {
  LessonResult lesson;
  lesson.id = lesson_id;
  const fs::path scratch = options.scratch_dir;
  try {
    lesson.tests = read_manifest(binary, options);
  } catch (const std::exception& e) {
    lesson.status = LessonStatus::kBroken;
    lesson.detail = e.what();
    return lesson;
  }

  // Every test in a process of its own, `jobs` at a time.
  struct Running {
    std::size_t index;
    std::unique_ptr<Child> child;
  };
  auto result_path = [&](std::size_t i) { return (scratch / (std::to_string(i) + ".result")).string(); };
  auto output_path = [&](std::size_t i) { return (scratch / (std::to_string(i) + ".out")).string(); };
  std::vector<Running> running;
  std::size_t next = 0;
  auto last_report = std::chrono::steady_clock::now();
  while (next < lesson.tests.size() || !running.empty()) {
    while (next < lesson.tests.size() && static_cast<int>(running.size()) < options.jobs) {
      fs::remove(result_path(next));
      std::vector<std::string> argv = {binary, "--gtest_filter=" + lesson.tests[next].name,
                                       std::string(protocol::kResultFlag) + result_path(next)};
      argv.insert(argv.end(), options.extra_args.begin(), options.extra_args.end());
      running.push_back({next, std::make_unique<Child>(argv, output_path(next), options.timeout_s)});
      ++next;
    }
    bool any_done = false;
    for (auto it = running.begin(); it != running.end();) {
      if (it->child->poll()) {
        const std::size_t i = it->index;
        classify(lesson.tests[i], it->child->outcome(), parse_result_file(result_path(i)),
                 read_file(output_path(i), 64 << 10), options.timeout_s);
        it = running.erase(it);
        any_done = true;
      } else {
        ++it;
      }
    }
    if (!any_done) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    const auto now = std::chrono::steady_clock::now();
    if (options.on_wait && !running.empty() && now - last_report > std::chrono::milliseconds(500)) {
      last_report = now;
      const Running& slowest = running.front();
      options.on_wait(lesson.tests[slowest.index].name, options.timeout_s - slowest.child->elapsed());
    }
  }
  lesson.status = summarise(lesson.tests);
  if (lesson.status == LessonStatus::kBroken) lesson.detail = "the test binary has no graded tests";
  return lesson;
}

}  // namespace bnkit::runner
