// Worker side: what a failed Eigen check does (eigen_assert_hook.hpp routes it here).
//
// It sends a "dying" reply whose reason is an Eigen-check record (eigen_failure_report.hpp),
// then aborts. The record carries the stack as offsets into this worker library; the trusted
// side turns them into file:line with addr2line on its own copy of the library. This runs in
// ordinary code (not in a signal handler), so allocating and formatting are fine here.
#include "eigen_failure_report.hpp"
#include "reply.hpp"
#include "wire.hpp"

#include <dlfcn.h>
#include <execinfo.h>
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

/// The return addresses on the stack that lie in this library, as offsets from its load
/// base, innermost first: the Eigen function that checks, then its callers (this function
/// and bnkit_eigen_assert_failed left out). A return address points after the call; one
/// byte back is the call itself, on the caller's line.
__attribute__((noinline)) std::vector<std::uint64_t> library_offsets() {
  constexpr int kOwnFrames = 2;
  void* frames[kMaxEigenFrames + kOwnFrames];
  const int n = backtrace(frames, kMaxEigenFrames + kOwnFrames);
  Dl_info self{};
  if (dladdr(&g_anchor, &self) == 0) return {};
  std::vector<std::uint64_t> offsets;
  for (int i = kOwnFrames; i < n; ++i) {
    Dl_info info{};
    if (dladdr(frames[i], &info) == 0 || info.dli_fbase != self.dli_fbase) continue;
    offsets.push_back(reinterpret_cast<std::uintptr_t>(frames[i]) - 1 -
                      reinterpret_cast<std::uintptr_t>(self.dli_fbase));
  }
  return offsets;
}

}  // namespace

extern "C" [[noreturn]] void bnkit_eigen_assert_failed(const char* condition, const char* function,
                                                       const char* file, int line) {
  EigenCheck check;
  check.condition = condition;
  check.function = function;
  check.file = file;
  check.line = line;
  check.offsets = library_offsets();
  Writer body;
  body.u8(static_cast<std::uint8_t>(Status::kDying));
  body.str("");  // no outputs: the call did not finish
  body.str(encode_eigen_check(check));
  Writer frame;
  frame.u64(body.bytes().size());
  frame.raw(body.bytes().data(), body.bytes().size());
  // What the code printed before the check is shown with the message: abort() would drop it.
  std::fflush(stdout);
  std::fflush(stderr);
  write_all(kReplyFd, frame.bytes());
  std::abort();
}
