// bnkit-worker: the process that runs a student's code, and nothing else of the grader.
//
//   bnkit-worker [--no-seccomp] LESSON_WORKER.so
//
// It locks itself down (harness/worker/sandbox/worker_seccomp.cpp) BEFORE it loads the library
// that holds the student's code, so even the student's static initialisers run inside
// the filter. Then it answers calls: a request frame on fd 3, a reply frame on fd 4 (see
// reply.hpp). Whatever the student's code prints goes to stdout/stderr, which the trusted
// side reads, bounded, and shows under the test it came from.
#include "reply.hpp"
#include "worker_seccomp.hpp"

#include <dlfcn.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>

namespace {

using bnkit::boundary::kMaxFrameBytes;
using bnkit::boundary::kReplyFd;
using bnkit::boundary::kRequestFd;
using bnkit::boundary::Status;
using bnkit::boundary::dying_frame;
using bnkit::boundary::frame;

bool read_all(int fd, void* buf, std::size_t n) {
  auto* p = static_cast<char*>(buf);
  while (n > 0) {
    const ssize_t got = read(fd, p, n);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return false;
    p += got;
    n -= static_cast<std::size_t>(got);
  }
  return true;
}

bool write_all(int fd, const void* buf, std::size_t n) {
  const auto* p = static_cast<const char*>(buf);
  while (n > 0) {
    const ssize_t put = write(fd, p, n);
    if (put < 0 && errno == EINTR) continue;
    if (put <= 0) return false;
    p += put;
    n -= static_cast<std::size_t>(put);
  }
  return true;
}

bool write_frame(const std::string& whole) { return write_all(kReplyFd, whole.data(), whole.size()); }

// Built before any student code runs, so the signal handler only has to write(2) it.
std::string g_stack_overflow_frame;
std::uintptr_t g_stack_top = 0, g_stack_limit = 0;

void on_fatal_signal(int sig, siginfo_t* info, void*) {
  const auto addr = reinterpret_cast<std::uintptr_t>(info->si_addr);
  // A fault just below the stack's lowest allowed address is the stack running out.
  if (sig == SIGSEGV && addr < g_stack_top && addr + g_stack_limit + (1 << 20) > g_stack_top &&
      addr + g_stack_limit - (1 << 16) < g_stack_top + (1 << 20)) {
    (void)!write(kReplyFd, g_stack_overflow_frame.data(), g_stack_overflow_frame.size());
  }
  signal(sig, SIG_DFL);
  raise(sig);
}

void install_fatal_handlers() {
  int here = 0;
  g_stack_top = reinterpret_cast<std::uintptr_t>(&here);
  rlimit stack{};
  getrlimit(RLIMIT_STACK, &stack);
  g_stack_limit = stack.rlim_cur == RLIM_INFINITY ? (8u << 20) : stack.rlim_cur;
  g_stack_overflow_frame = dying_frame("stack overflow (endless or too deep recursion?)");
  static char alt_stack[1 << 16];
  stack_t ss{};
  ss.ss_sp = alt_stack;
  ss.ss_size = sizeof alt_stack;
  sigaltstack(&ss, nullptr);
  struct sigaction sa {};
  sa.sa_sigaction = on_fatal_signal;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigaction(SIGSEGV, &sa, nullptr);
}

using Handle = void (*)(const char*, std::size_t, std::string*);

}  // namespace

int main(int argc, char** argv) {
  bool seccomp = true;
  const char* library = nullptr;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--no-seccomp") == 0) seccomp = false;
    else library = argv[i];
  }
  if (!library) {
    std::fprintf(stderr, "usage: bnkit-worker [--no-seccomp] LESSON_WORKER.so\n");
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  install_fatal_handlers();
  if (seccomp) {
    const std::string error = bnkit::sandbox::restrict_worker();
    if (!error.empty()) {
      write_frame(dying_frame("could not lock the worker down: " + error));
      return 3;
    }
  }
  void* lib = dlopen(library, RTLD_NOW | RTLD_LOCAL);
  Handle handle = lib ? reinterpret_cast<Handle>(dlsym(lib, "bnkit_worker_handle")) : nullptr;
  if (!handle) {
    const std::string why = std::string("cannot load the lesson's code: ") + (lib ? "no bnkit_worker_handle" : dlerror());
    write_frame(dying_frame(why));
    return 3;
  }
  for (;;) {
    std::uint64_t n = 0;
    if (!read_all(kRequestFd, &n, sizeof n)) return 0;  // the grader closed the pipe: done
    if (n > kMaxFrameBytes) return 4;
    std::string request(n, '\0');
    if (!read_all(kRequestFd, request.data(), n)) return 4;
    std::string reply;
    handle(request.data(), request.size(), &reply);
    std::fflush(stdout);
    std::fflush(stderr);
    if (!write_frame(frame(reply))) return 0;
  }
}
