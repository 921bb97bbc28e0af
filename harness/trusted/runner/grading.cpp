#include "grading.hpp"

#include "mistakes.hpp"
#include "process.hpp"
#include "result_protocol.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>
#include <set>
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
  std::vector<Failure> failures;
  std::string output;
};

/// Reads a result file (JSON, result_protocol.hpp). Its writer is trusted, but the file is
/// read defensively anyway: a malformed one reads as a test that did not finish.
ParsedResult parse_result_file(const std::string& path) {
  ParsedResult r;
  try {
    const nlohmann::json doc = nlohmann::json::parse(read_file(path, 64 << 20));
    if (doc.value("format", "") != protocol::kResultFormat) return r;
    if (!doc.contains("outcome")) return r;
    r.outcome = doc.at("outcome").get<std::string>();
    r.todo_reached = doc.value("todo_reached", false);
    r.output = doc.value("output", "");
    for (const nlohmann::json& f : doc.value("failures", nlohmann::json::array())) {
      Failure failure;
      failure.text = f.at("text").get<std::string>();
      for (const nlohmann::json& e : f.value("evidence", nlohmann::json::array())) {
        failure.evidence.push_back({e.at("available").get<std::vector<std::string>>(),
                                    e.at("matched").get<std::vector<std::string>>()});
      }
      r.failures.push_back(std::move(failure));
    }
    r.finished = true;
  } catch (const nlohmann::json::exception&) {
    return ParsedResult{};
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
                (proc.kind == Kind::kSignalled ? process::describe_signal(proc.code) : "exit code " + std::to_string(proc.code)) +
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
    if (result.outcome == "skipped") {
      t.message = "the test was skipped";
    } else {
      Diagnosis d = diagnose(result.failures);
      t.message = std::move(d.message);
      t.diagnosis = std::move(d.id);
    }
  }
}

/// One comparison's evidence as sets: the fingerprints it had, and those it matched.
struct Evidence {
  std::set<std::string> available, matched;
};

}  // namespace

Diagnosis diagnose(const std::vector<Failure>& failures) {
  // Every comparison's evidence, remembering which failure it belongs to.
  std::vector<std::string> texts;
  std::vector<Evidence> evidence;
  std::vector<std::size_t> failure_of;
  for (const Failure& failure : failures) {
    for (const grader::Evidence& recorded : failure.evidence) {
      Evidence e{{recorded.available.begin(), recorded.available.end()},
                 {recorded.matched.begin(), recorded.matched.end()}};
      e.available.insert(e.matched.begin(), e.matched.end());  // a match was available
      evidence.push_back(std::move(e));
      failure_of.push_back(texts.size());
    }
    texts.push_back(failure.text);
  }

  // The comparisons each id explains; an id is a candidate when it explains at least one
  // and no comparison that had its fingerprint missed it.
  std::set<std::string> ids;
  for (const Evidence& e : evidence) ids.insert(e.available.begin(), e.available.end());
  std::vector<std::pair<std::string, std::set<std::size_t>>> candidates;
  for (const std::string& id : ids) {
    if (grader::describe_mistake(id).empty()) continue;
    std::set<std::size_t> explained;
    bool missed = false;
    for (std::size_t i = 0; i < evidence.size(); ++i) {
      if (evidence[i].matched.count(id)) explained.insert(i);
      else if (evidence[i].available.count(id)) missed = true;
    }
    if (!missed && !explained.empty()) candidates.emplace_back(id, std::move(explained));
  }
  // Named: the candidate that explains strictly more than each other one, if there is one.
  Diagnosis d;
  for (const auto& [id, explained] : candidates) {
    const bool beats_all = std::all_of(candidates.begin(), candidates.end(), [&](const auto& other) {
      return other.first == id || (other.second.size() < explained.size() &&
                                   std::includes(explained.begin(), explained.end(), other.second.begin(),
                                                 other.second.end()));
    });
    if (beats_all) {
      d.id = id;
      texts[failure_of[*explained.begin()]] += "\n  " + grader::mistake_sentence(id);
      break;
    }
  }
  for (std::size_t i = 0; i < texts.size(); ++i) d.message += (i == 0 ? "" : "\n") + texts[i];
  return d;
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
