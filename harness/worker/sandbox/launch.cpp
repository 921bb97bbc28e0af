#include "launch.hpp"

#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace bnkit::sandbox {

namespace {

constexpr const char* kBwrap = "/usr/bin/bwrap";
constexpr uid_t kNobody = 65534;

void set_limit(int resource, std::uint64_t value) {
  rlimit r{static_cast<rlim_t>(value), static_cast<rlim_t>(value)};
  setrlimit(resource, &r);
}

std::vector<std::string> bwrap_argv(const Command& command) {
  std::vector<std::string> a = {kBwrap, "--unshare-all", "--die-with-parent", "--new-session",
                                "--cap-drop", "ALL", "--ro-bind", "/usr", "/usr",
                                "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
                                "--symlink", "usr/bin", "/bin", "--proc", "/proc", "--dev", "/dev",
                                "--tmpfs", "/tmp", "--chdir", "/tmp"};
  if (access("/etc/ld.so.cache", R_OK) == 0) {
    for (const char* s : {"--ro-bind", "/etc/ld.so.cache", "/etc/ld.so.cache"}) a.emplace_back(s);
  }
  for (const std::string& file : command.visible) {
    for (const std::string& s : {std::string("--ro-bind"), file, file}) a.push_back(s);
  }
  a.emplace_back("--");
  a.insert(a.end(), command.argv.begin(), command.argv.end());
  return a;
}

/// In the child: never returns.
[[noreturn]] void become(const Command& command, const std::array<int, 6>& fds, Level level,
                         const Limits& limits) {
  // fds: move every source above 10 first, so that dup2 onto 0..5 cannot clobber one.
  constexpr int kChildFds = 6;
  std::array<int, kChildFds> high{};
  for (int i = 0; i < kChildFds; ++i) {
    const int src = fds[static_cast<std::size_t>(i)] >= 0 ? fds[static_cast<std::size_t>(i)] : open("/dev/null", O_RDWR);
    high[static_cast<std::size_t>(i)] = fcntl(src, F_DUPFD, 10);
  }
  for (int i = 0; i < kChildFds; ++i) dup2(high[static_cast<std::size_t>(i)], i);
  for (int fd = kChildFds; fd < 1024; ++fd) close(fd);

  setsid();  // own session and process group: the grader kills the group
  set_limit(RLIMIT_AS, limits.address_space_bytes);
  set_limit(RLIMIT_CPU, limits.cpu_seconds);
  set_limit(RLIMIT_FSIZE, limits.file_bytes);
  set_limit(RLIMIT_NOFILE, limits.open_files);
  set_limit(RLIMIT_CORE, 0);  // a crash leaves no core file in the kit
  if (geteuid() == 0) {
    // Root is exempt from RLIMIT_NPROC and may write every file: run as nobody instead.
    setgroups(0, nullptr);
    if (setgid(kNobody) != 0 || setuid(kNobody) != 0) _exit(126);
  }
  set_limit(RLIMIT_NPROC, limits.processes);
  // After the user switch, which clears it: die when the test process dies.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() == 1) _exit(125);  // the parent is already gone
  prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);

  const std::vector<std::string> argv = level == Level::kFull ? bwrap_argv(command) : command.argv;
  std::vector<char*> c_argv;
  for (const auto& s : argv) c_argv.push_back(const_cast<char*>(s.c_str()));
  c_argv.push_back(nullptr);
  char* const env[] = {const_cast<char*>("LANG=C.UTF-8"), const_cast<char*>("PATH=/usr/bin:/bin"), nullptr};
  execve(c_argv[0], c_argv.data(), env);
  const std::string msg = std::string("bnkit: cannot start ") + c_argv[0] + ": " + std::strerror(errno) + "\n";
  (void)!write(2, msg.data(), msg.size());
  _exit(127);
}

}  // namespace

pid_t launch(const Command& command, const std::array<int, 6>& fds, Level level, const Limits& limits,
             std::string& error) {
  const pid_t pid = fork();
  if (pid < 0) {
    error = std::string("fork failed: ") + std::strerror(errno);
    return -1;
  }
  if (pid == 0) become(command, fds, level, limits);
  return pid;
}

Level detect_level() {
  if (access(kBwrap, X_OK) != 0) return Level::kBasic;
  Command probe{{"/bin/true"}, {}};
  std::string error;
  const pid_t pid = launch(probe, {-1, -1, -1, -1, -1, -1}, Level::kFull, Limits{}, error);
  if (pid < 0) return Level::kBasic;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? Level::kFull : Level::kBasic;
}

const char* to_string(Level level) { return level == Level::kFull ? "full" : "basic"; }

bool parse_level(const std::string& text, Level& level) {
  if (text == "full") level = Level::kFull;
  else if (text == "basic") level = Level::kBasic;
  else return false;
  return true;
}

std::string describe(Level level) {
  if (level == Level::kFull) {
    return "full: bubblewrap namespaces (no kit files, no network, no other processes visible), "
           "seccomp, resource limits";
  }
  return "basic: seccomp (no processes, exec, sockets or file changes), resource limits, own "
         "session" + std::string(geteuid() == 0 ? ", user nobody" : "") +
         "; no namespaces, so the worker can read what its user can read";
}

}  // namespace bnkit::sandbox
