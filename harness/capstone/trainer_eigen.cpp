// The student's trainer only: what a failed Eigen check does (eigen_assert_hook.hpp, seen
// before Eigen by every file of bnkit-capstone-student, routes it here). It reports the check
// as a JSON line ({"event":"error","kind":"eigen_check","record":...}, the record of
// eigen_failure_report.hpp, its frames offsets into this program) and ends the run. The
// driver turns the record into the sentence `./bnkit grade` shows, naming the student's line.
#include "eigen_failure_report.hpp"

#include <nlohmann/json.hpp>

#include <dlfcn.h>
#include <execinfo.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

extern FILE* g_report;

namespace {

const char g_anchor = 0;

/// Return addresses as offsets from this program's load base, innermost first, this
/// function and the handler left out; one byte back, so each names the calling line.
__attribute__((noinline)) std::vector<std::uint64_t> program_offsets() {
  constexpr int kOwnFrames = 2;
  void* frames[bnkit::boundary::kMaxEigenFrames + kOwnFrames];
  const int n = backtrace(frames, bnkit::boundary::kMaxEigenFrames + kOwnFrames);
  Dl_info self{};
  if (dladdr(&g_anchor, &self) == 0) return {};
  std::vector<std::uint64_t> offsets;
  for (int i = kOwnFrames; i < n; ++i) {
    Dl_info info{};
    if (dladdr(frames[i], &info) == 0 || info.dli_fbase != self.dli_fbase) continue;
    offsets.push_back(reinterpret_cast<std::uintptr_t>(frames[i]) - 1 - reinterpret_cast<std::uintptr_t>(self.dli_fbase));
  }
  return offsets;
}

}  // namespace

extern "C" [[noreturn]] void bnkit_eigen_assert_failed(const char* condition, const char* function, const char* file,
                                                       int line) {
  bnkit::boundary::EigenCheck check;
  check.condition = condition;
  check.function = function;
  check.file = file;
  check.line = line;
  check.offsets = program_offsets();
  const nlohmann::json record = {{"event", "error"}, {"kind", "eigen_check"},
                                 {"record", bnkit::boundary::encode_eigen_check(check)}};
  std::fflush(stdout);
  std::fflush(stderr);
  const std::string text = record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  std::fwrite(text.data(), 1, text.size(), g_report ? g_report : stdout);
  std::fflush(g_report ? g_report : stdout);
  std::_Exit(1);
}
