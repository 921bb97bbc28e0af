// main() of every lesson test binary. Trusted code only: GoogleTest, the tests, the golden
// data and the proxies. The student's code runs in a worker (harness/worker/) that this
// process starts and talks to through pipes.
//
// Besides GoogleTest's flags it takes the runner's (result_protocol.hpp): the manifest, a
// result file per test, and where the worker and the oracle are.
#include "bnkit/todo.hpp"
#include "hidden.hpp"
#include "mistakes.hpp"
#include "points.hpp"
#include "result_protocol.hpp"
#include "session.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sys/prctl.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace bnkit::grader {

std::map<std::string, GradedTest>& points_registry() {
  static std::map<std::string, GradedTest> registry;
  return registry;
}

namespace {

std::uint64_t g_seed = 20261121;
constexpr std::size_t kMaxFailureBytes = 32 * 1024;  // one failure message
constexpr std::size_t kMaxResultBytes = 1 << 20;     // all of a test's failures

/// Prints "Suite.Name<TAB>points<TAB>visible|hidden" per test, in registration order
/// (hidden tests only with --bnkit-hidden). Exit 1 if a test has no points.
int print_manifest(bool with_hidden) {
  const auto& unit = *::testing::UnitTest::GetInstance();
  int status = 0;
  for (int s = 0; s < unit.total_test_suite_count(); ++s) {
    const auto& suite = *unit.GetTestSuite(s);
    for (int t = 0; t < suite.total_test_count(); ++t) {
      const std::string name = std::string(suite.name()) + "." + suite.GetTestInfo(t)->name();
      auto it = points_registry().find(name);
      if (it == points_registry().end()) {
        std::fprintf(stderr, "test %s has no points: declare it with BNKIT_TEST\n", name.c_str());
        status = 1;
        continue;
      }
      if (it->second.hidden && !with_hidden) continue;
      std::printf("%s\t%d\t%s\n", name.c_str(), it->second.points, it->second.hidden ? "hidden" : "visible");
    }
  }
  return status;
}

/// GoogleTest's failure text, trimmed to what a student needs: the message of an
/// AssertionResult without the "Value of / Actual: false (...) / Expected: true" wrapping,
/// paths relative to the kit, and SCOPED_TRACE lines as "in <trace>".
std::string tidy(const std::string& where, const std::string& message) {
  std::string m = message;
  if (m.rfind("Failed\n", 0) == 0) m.erase(0, 7);  // ADD_FAILURE's own first line
  const std::string head = "\n  Actual: false (";
  const std::string tail = ")\nExpected: true";
  const auto a = m.find(head), t = m.find(tail);
  if (m.rfind("Value of: ", 0) == 0 && a != std::string::npos && t != std::string::npos && t > a) {
    m = m.substr(a + head.size(), t - a - head.size()) + m.substr(t + tail.size());
  }
  // An exception that escaped the test body: say what it was, without GoogleTest's wrapping.
  const std::string thrown = "C++ exception with description \"";
  if (m.rfind(thrown, 0) == 0) {
    const auto end = m.rfind("\" thrown in the test body.");
    if (end != std::string::npos) {
      m = m.substr(thrown.size(), end - thrown.size());
      // A call that crashed or hung already says so ("batch_statistics() crashed ...").
      const auto call = m.find("() ");
      const bool names_a_call = call != std::string::npos && call > 0 &&
                                m.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_:") == call;
      if (!names_a_call) m = "threw: " + m;
    }
  }
  std::string out = where + m;
  // A message that ends in looks_like() (which adds no text) ends in its separator: cut it.
  const auto trim_end = [](std::string& text) { text.erase(text.find_last_not_of(" \n") + 1); };
  const std::string trace = "\nGoogle Test trace:";
  if (const auto g = out.find(trace); g != std::string::npos) {
    std::string traces = out.substr(g + trace.size());
    out.erase(g);
    trim_end(out);
    std::size_t pos = 0;
    while ((pos = traces.find('\n', pos)) != std::string::npos) {
      const auto end = traces.find('\n', pos + 1);
      std::string line = traces.substr(pos + 1, end == std::string::npos ? std::string::npos : end - pos - 1);
      if (const auto colon = line.find(": "); colon != std::string::npos) line = line.substr(colon + 2);
      if (!line.empty()) out += "\n  in " + line;
      pos = end == std::string::npos ? traces.size() : end;
    }
  }
  const std::string root = BNKIT_SOURCE_DIR "/";
  for (std::size_t at; (at = out.find(root)) != std::string::npos;) out.erase(at, root.size());
  trim_end(out);
  return out;
}

/// Writes the result file of the (single) test this process runs, as JSON (format in
/// result_protocol.hpp): written once when the test starts, without an outcome, and again
/// whole when it ends. Each failure carries the evidence its comparisons recorded.
class ResultWriter : public ::testing::EmptyTestEventListener {
 public:
  explicit ResultWriter(std::string path) : path_(std::move(path)) {}

  void OnTestStart(const ::testing::TestInfo& info) override {
    result_ = {{"format", protocol::kResultFormat},
               {"test", std::string(info.test_suite_name()) + "." + info.name()}};
    failures_ = nlohmann::json::array();
    bytes_ = 0;
    take_evidence();  // nothing recorded before the test belongs to it
    write();
  }

  void OnTestPartResult(const ::testing::TestPartResult& part) override {
    if (!part.failed()) return;
    nlohmann::json evidence = nlohmann::json::array();
    for (const Evidence& e : take_evidence()) evidence.push_back({{"available", e.available}, {"matched", e.matched}});
    if (bytes_ > kMaxResultBytes) return;  // enough failures to read; the rest add nothing
    const std::string where =
        part.file_name() ? std::string(part.file_name()) + ":" + std::to_string(part.line_number()) + ": " : std::string();
    std::string text = tidy(where, part.message());
    if (text.size() > kMaxFailureBytes) text = text.substr(0, kMaxFailureBytes) + " [... cut]";
    bytes_ += text.size();
    failures_.push_back({{"text", text}, {"evidence", evidence}});
  }

  void OnTestEnd(const ::testing::TestInfo& info) override {
    const auto& r = *info.result();
    result_["outcome"] = r.Skipped() ? "skipped" : r.Passed() ? "passed" : "failed";
    result_["todo_reached"] = static_cast<bool>(bnkit::g_todo_reached);
    result_["failures"] = failures_;
    result_["output"] = boundary::code_under_test_output();
    write();
  }

 private:
  void write() const {
    // Text from the code under test may be any bytes: invalid UTF-8 becomes U+FFFD.
    const std::string text = result_.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    if (FILE* f = std::fopen(path_.c_str(), "w")) {
      std::fwrite(text.data(), 1, text.size(), f);
      std::fclose(f);
    }
  }
  std::string path_;
  nlohmann::json result_, failures_;
  std::size_t bytes_ = 0;
};

/// The value of `--flag=VALUE` if `arg` is that flag.
bool flag_value(const char* arg, const char* flag, std::string& value) {
  const std::size_t n = std::strlen(flag);
  if (std::strncmp(arg, flag, n) != 0) return false;
  value = arg + n;
  return true;
}

}  // namespace

std::uint64_t hidden_seed() { return g_seed; }

}  // namespace bnkit::grader

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);  // a worker that dies mid-call is reported, not fatal
  // Not dumpable: a worker running as the same user cannot read this process's memory
  // (the expected values) through /proc/PID/mem, nor attach to it.
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  ::testing::InitGoogleTest(&argc, argv);
  namespace protocol = bnkit::protocol;
  std::string result_path, worker, oracle, value;
  bool manifest = false, with_hidden = false;
  bnkit::boundary::WorkerConfig config;
  config.worker_exe = BNKIT_WORKER_EXE;
  bool level_given = false;
  for (int i = 1; i < argc; ++i) {
    const char* a = argv[i];
    if (std::strcmp(a, protocol::kManifestFlag) == 0) manifest = true;
    else if (std::strcmp(a, protocol::kHiddenFlag) == 0) with_hidden = true;
    else if (bnkit::grader::flag_value(a, protocol::kResultFlag, value)) result_path = value;
    else if (bnkit::grader::flag_value(a, protocol::kWorkerFlag, value)) worker = value;
    else if (bnkit::grader::flag_value(a, protocol::kOracleFlag, value)) oracle = value;
    else if (bnkit::grader::flag_value(a, protocol::kSeedFlag, value)) bnkit::grader::g_seed = std::strtoull(value.c_str(), nullptr, 10);
    else if (bnkit::grader::flag_value(a, protocol::kCallTimeoutFlag, value)) config.call_timeout_s = std::strtod(value.c_str(), nullptr);
    else if (bnkit::grader::flag_value(a, protocol::kSandboxFlag, value)) {
      level_given = true;
      if (!bnkit::sandbox::parse_level(value, config.level)) {
        std::fprintf(stderr, "unknown sandbox level '%s' (full or basic)\n", value.c_str());
        return 2;
      }
    } else {
      std::fprintf(stderr, "unknown argument '%s'\n", a);
      return 2;
    }
  }
  if (manifest) return bnkit::grader::print_manifest(with_hidden);
  if (!level_given) config.level = bnkit::sandbox::detect_level();  // the CLI detects once and says
  if (!worker.empty()) {
    config.library = worker;
    bnkit::boundary::set_code_under_test(config);
  }
  if (!oracle.empty()) {
    config.library = oracle;
    bnkit::boundary::set_oracle(config);
  } else if (!::testing::GTEST_FLAG(list_tests)) {
    // Without an oracle the hidden tests cannot run: leave them out (but list them, so
    // ctest discovers them and runs them with the reference as the oracle).
    std::string filter = ::testing::GTEST_FLAG(filter);
    filter += (filter.find('-') == std::string::npos ? "-" : ":") + std::string("Hidden*.*");
    ::testing::GTEST_FLAG(filter) = filter;
  }
  if (!result_path.empty()) {
    ::testing::UnitTest::GetInstance()->listeners().Append(new bnkit::grader::ResultWriter(result_path));
  }
  return RUN_ALL_TESTS();
}
