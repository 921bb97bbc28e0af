#include "launch.hpp"

#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <system_error>

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

/// The child's last steps before exec (async-signal-safe calls only): limits, the user
/// switch, death with the parent.
bool confine(const Limits& limits) {
  set_limit(RLIMIT_AS, limits.address_space_bytes);
  set_limit(RLIMIT_CPU, limits.cpu_seconds);
  set_limit(RLIMIT_FSIZE, limits.file_bytes);
  set_limit(RLIMIT_NOFILE, limits.open_files);
  set_limit(RLIMIT_CORE, 0);  // a crash leaves no core file in the kit
  if (geteuid() == 0) {
    // Root is exempt from RLIMIT_NPROC and may write every file: run as nobody instead.
    setgroups(0, nullptr);
    if (setgid(kNobody) != 0 || setuid(kNobody) != 0) return false;
  }
  set_limit(RLIMIT_NPROC, limits.processes);
  // After the user switch, which clears it: die when the test process dies.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() == 1) _exit(125);  // the parent is already gone
  prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
  return true;
}

}  // namespace

process::Child launch(const Command& command, const std::array<int, 6>& fds, Level level, const Limits& limits) {
  process::Spawn spawn;
  spawn.argv = level == Level::kFull ? bwrap_argv(command) : command.argv;
  spawn.fds.assign(fds.begin(), fds.end());
  spawn.own_group = true;  // own session and process group: the grader kills the group
  spawn.environment = std::vector<std::string>{"LANG=C.UTF-8", "PATH=/usr/bin:/bin"};
  spawn.prepare = [limits] { return confine(limits); };
  return process::Child(spawn);
}

Level detect_level() {
  if (access(kBwrap, X_OK) != 0) return Level::kBasic;
  Command probe{{"/bin/true"}, {}};
  int status = 0;
  try {
    status = launch(probe, {-1, -1, -1, -1, -1, -1}, Level::kFull, Limits{}).wait();
  } catch (const std::system_error&) {
    return Level::kBasic;
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
