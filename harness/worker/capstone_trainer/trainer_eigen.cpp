// The student's trainer only: what a failed Eigen check does (eigen_assert_hook.hpp, seen
// before Eigen by every file of bnkit-capstone-student, routes it here). It reports the check
// as a JSON line ({"event":"error","kind":"eigen_check","record":...}, the record of
// eigen_failure_report.hpp, its frames offsets into this program) and ends the run. The
// driver turns the record into the sentence `./bnkit grade` shows, naming the student's line.
#include "eigen_check.hpp"
#include "stack_offsets.hpp"

#include <nlohmann/json.hpp>


#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

extern FILE* g_report;

namespace {

const char g_anchor = 0;

}  // namespace

extern "C" [[noreturn]] void bnkit_eigen_assert_failed(const char* condition, const char* function, const char* file,
                                                       int line) {
  bnkit::boundary::EigenCheck check;
  check.condition = condition;
  check.function = function;
  check.file = file;
  check.line = line;
  check.offsets = bnkit::boundary::module_stack_offsets(&g_anchor);
  const nlohmann::json record = {{"event", "error"}, {"kind", "eigen_check"},
                                 {"record", bnkit::boundary::encode_eigen_check(check)}};
  std::fflush(stdout);
  std::fflush(stderr);
  const std::string text = record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  std::fwrite(text.data(), 1, text.size(), g_report ? g_report : stdout);
  std::fflush(g_report ? g_report : stdout);
  std::_Exit(1);
}
