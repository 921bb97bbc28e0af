// main() of every lesson test binary: GoogleTest, plus the two things the runner needs,
// the manifest (--bnkit-manifest) and a result file per test (--bnkit-result=PATH).
#include "bnkit/todo.hpp"
#include "points.hpp"
#include "result_protocol.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace bnkit::grader {

std::map<std::string, int>& points_registry() {
  static std::map<std::string, int> registry;
  return registry;
}

namespace {

/// Prints "Suite.Name<TAB>points" per test, in registration order. Exit 1 if a test has
/// no points (a plain TEST in a lesson binary is a kit bug, not a free test).
int print_manifest() {
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
      std::printf("%s\t%d\n", name.c_str(), it->second);
    }
  }
  return status;
}

/// GoogleTest's failure text, trimmed to what a student needs: the message of an
/// AssertionResult without the "Value of / Actual: false (...) / Expected: true" wrapping,
/// paths relative to the kit, and SCOPED_TRACE lines as "in <trace>".
std::string tidy(const std::string& where, const std::string& message) {
  std::string m = message;
  const std::string head = "\n  Actual: false (";
  const std::string tail = ")\nExpected: true";
  const auto a = m.find(head), t = m.find(tail);
  if (m.rfind("Value of: ", 0) == 0 && a != std::string::npos && t != std::string::npos && t > a) {
    m = m.substr(a + head.size(), t - a - head.size()) + m.substr(t + tail.size());
  }
  std::string out = where + m;
  const std::string trace = "\nGoogle Test trace:";
  if (const auto g = out.find(trace); g != std::string::npos) {
    std::string traces = out.substr(g + trace.size());
    out.erase(g);
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
  return out;
}

/// Writes the result file of the (single) test this process runs.
class ResultWriter : public ::testing::EmptyTestEventListener {
 public:
  explicit ResultWriter(std::string path) : path_(std::move(path)) {}

  void OnTestStart(const ::testing::TestInfo& info) override {
    write(std::string(protocol::kResultHeader) + "\ntest " + info.test_suite_name() + "." +
              info.name() + "\n",
          "w");
  }

  void OnTestEnd(const ::testing::TestInfo& info) override {
    const auto& r = *info.result();
    std::string body = std::string("outcome ") +
                       (r.Skipped() ? "skipped" : r.Passed() ? "passed" : "failed") +
                       "\ntodo_reached " + (bnkit::g_todo_reached ? "1" : "0") + "\n";
    for (int i = 0; i < r.total_part_count(); ++i) {
      const auto& part = r.GetTestPartResult(i);
      if (!part.failed()) continue;
      std::string where = part.file_name() ? std::string(part.file_name()) + ":" +
                                                 std::to_string(part.line_number()) + ": "
                                           : std::string();
      const std::string text = tidy(where, part.message());
      body += "failure " + std::to_string(text.size()) + "\n" + text + "\n";
    }
    write(body, "a");
  }

 private:
  void write(const std::string& text, const char* mode) const {
    if (FILE* f = std::fopen(path_.c_str(), mode)) {
      std::fwrite(text.data(), 1, text.size(), f);
      std::fclose(f);
    }
  }
  std::string path_;
};

}  // namespace
}  // namespace bnkit::grader

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  std::string result_path;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], bnkit::protocol::kManifestFlag) == 0) {
      return bnkit::grader::print_manifest();
    }
    const std::size_t n = std::strlen(bnkit::protocol::kResultFlag);
    if (std::strncmp(argv[i], bnkit::protocol::kResultFlag, n) == 0) result_path = argv[i] + n;
  }
  if (!result_path.empty()) {
    ::testing::UnitTest::GetInstance()->listeners().Append(
        new bnkit::grader::ResultWriter(result_path));
  }
  return RUN_ALL_TESTS();
}
