// Worker side: what a failed Eigen check does (eigen_assert_hook.hpp routes it here).
//
// It sends a "dying" reply whose reason is an Eigen-check record (eigen_failure_report.hpp),
// then aborts. The record carries the stack as offsets into this worker library; the trusted
// side turns them into file:line with addr2line on its own copy of the library. This runs in
// ordinary code (not in a signal handler), so allocating and formatting are fine here.
#include "eigen_check.hpp"
#include "stack_offsets.hpp"
#include "reply.hpp"
#include "wire.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

using namespace bnkit::boundary;

/// Something that lives in this library, to find the library's load base with dladdr.
const char g_anchor = 0;

void write_all(int fd, const std::string& bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<std::size_t>(n);
  }
}

}  // namespace

extern "C" [[noreturn]] void bnkit_eigen_assert_failed(const char* condition, const char* function,
                                                       const char* file, int line) {
  EigenCheck check;
  check.condition = condition;
  check.function = function;
  check.file = file;
  check.line = line;
  check.offsets = module_stack_offsets(&g_anchor);
  const std::string whole = dying_frame(encode_eigen_check(check));  // no outputs: the call did not finish
  // What the code printed before the check is shown with the message: abort() would drop it.
  std::fflush(stdout);
  std::fflush(stderr);
  write_all(kReplyFd, whole);
  std::abort();
}
