#include "child.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <system_error>

namespace bnkit::process {

Pipe make_pipe() {
  int ends[2];
  if (pipe2(ends, O_CLOEXEC) != 0) throw std::system_error(errno, std::generic_category(), "pipe");
  return Pipe{Fd(ends[0]), Fd(ends[1])};
}

void set_nonblocking(const Fd& fd) { fcntl(fd.get(), F_SETFL, fcntl(fd.get(), F_GETFL) | O_NONBLOCK); }

namespace {

/// In the child, between fork and exec: never returns.
[[noreturn]] void become(const Spawn& spawn, char* const* argv, char* const* env) {
  // Move every source above the target range first, so that dup2 onto 0..n-1 cannot
  // clobber a source still to be placed.
  const int n = static_cast<int>(spawn.fds.size());
  constexpr int kMaxFds = 16;
  if (n > kMaxFds) _exit(126);
  std::array<int, kMaxFds> high{};
  for (int i = 0; i < n; ++i) {
    const int given = spawn.fds[static_cast<std::size_t>(i)];
    const int source = given >= 0 ? given : open("/dev/null", O_RDWR);
    high[static_cast<std::size_t>(i)] = fcntl(source, F_DUPFD, std::max(n, 10) + kMaxFds);
    if (high[static_cast<std::size_t>(i)] < 0) _exit(126);
  }
  for (int i = 0; i < n; ++i) {
    if (dup2(high[static_cast<std::size_t>(i)], i) < 0) _exit(126);
  }
  if (close_range(static_cast<unsigned>(n), ~0U, 0) != 0) {
    for (int fd = n; fd < 65536; ++fd) close(fd);
  }
  if (spawn.own_group) setsid();
  if (spawn.prepare && !spawn.prepare()) _exit(126);
  if (env) {
    if (spawn.search_path) execvpe(argv[0], argv, env);
    else execve(argv[0], argv, env);
  } else {
    if (spawn.search_path) execvp(argv[0], argv);
    else execv(argv[0], argv);
  }
  const char* reason = std::strerror(errno);
  for (const char* part : {"bnkit: cannot start ", static_cast<const char*>(argv[0]), ": ", reason, "\n"}) {
    (void)!write(2, part, std::strlen(part));
  }
  _exit(127);
}

std::vector<char*> pointers(const std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (const std::string& s : strings) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

}  // namespace

Child::Child(const Spawn& spawn) : own_group_(spawn.own_group) {
  // Everything the child needs is built before fork: after it, only async-signal-safe calls.
  std::vector<char*> argv = pointers(spawn.argv);
  std::vector<char*> env;
  if (spawn.environment) env = pointers(*spawn.environment);
  pid_ = fork();
  if (pid_ < 0) throw std::system_error(errno, std::generic_category(), "fork");
  // (The parent does not set the child's group: that would make setsid fail in the child.
  // kill() signals the pid as well as the group, so a kill right after the start hits.)
  if (pid_ == 0) become(spawn, argv.data(), spawn.environment ? env.data() : nullptr);
}

Child::Child(Child&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)), own_group_(other.own_group_), status_(std::exchange(other.status_, {})) {}

Child& Child::operator=(Child&& other) noexcept {
  if (this != &other) {
    finish();
    pid_ = std::exchange(other.pid_, -1);
    own_group_ = other.own_group_;
    status_ = std::exchange(other.status_, {});
  }
  return *this;
}

Child::~Child() { finish(); }

void Child::finish() {
  if (!running()) return;
  kill();
  wait();
}

std::optional<int> Child::try_wait() {
  if (!running()) return status_;
  int status = 0;
  pid_t r;
  while ((r = waitpid(pid_, &status, WNOHANG)) < 0 && errno == EINTR) {
  }
  if (r == pid_) status_ = status;
  else if (r < 0) status_ = 0;  // not our child any more: nothing to wait for
  if (status_ && own_group_) ::kill(-pid_, SIGKILL);  // anything it left in its group
  return status_;
}

int Child::wait() {
  if (!running()) return status_.value_or(0);
  int status = 0;
  pid_t r;
  while ((r = waitpid(pid_, &status, 0)) < 0 && errno == EINTR) {
  }
  status_ = r == pid_ ? status : 0;
  if (own_group_) ::kill(-pid_, SIGKILL);
  return *status_;
}

void Child::kill() {
  if (!running()) return;
  if (own_group_) ::kill(-pid_, SIGKILL);
  ::kill(pid_, SIGKILL);
}

std::string describe_signal(int sig) {
  switch (sig) {
    case SIGSEGV: return "SIGSEGV (segmentation fault: memory out of bounds?)";
    case SIGABRT: return "SIGABRT (abort: a failed assertion, e.g. Eigen's size checks?)";
    case SIGFPE: return "SIGFPE (arithmetic error: integer division by zero?)";
    case SIGBUS: return "SIGBUS (bus error)";
    case SIGILL: return "SIGILL (illegal instruction)";
    case SIGKILL: return "SIGKILL (killed)";
    case SIGXCPU: return "SIGXCPU (the CPU time limit)";
    case SIGXFSZ: return "SIGXFSZ (the file size limit)";
    default: return "signal " + std::to_string(sig) + " (" + strsignal(sig) + ")";
  }
}

}  // namespace bnkit::process
