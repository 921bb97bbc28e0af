// The one way the kit starts a process: fork, give the child exactly the fds it is meant to
// have, run a preparation step (limits, a user switch), exec. A Child kills and reaps its
// process when it goes, so no error path leaves one running. Used by the sandbox launcher
// (workers and trainers), the runner (test binaries) and the session (addr2line).
#pragma once

#include "fd.hpp"

#include <sys/types.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace bnkit::process {

struct Spawn {
  std::vector<std::string> argv;  ///< argv[0] is an absolute path (or a name in PATH: search_path)
  /// The child's fd i is fds[i]; -1 gives it /dev/null. Every other fd is closed.
  std::vector<int> fds = {-1, -1, -1};
  bool search_path = false;
  /// Its own session and process group, so that killing the group reaches whatever it starts.
  bool own_group = true;
  /// The child's environment ("NAME=value"); nullopt keeps the parent's.
  std::optional<std::vector<std::string>> environment;
  /// Runs in the child after its fds are in place, just before exec. Async-signal-safe calls
  /// only (the parent may have threads); return false to give up (the child exits with 126).
  std::function<bool()> prepare;
};

/// A started process. Destroying one that still runs kills its group and reaps it.
class Child {
 public:
  /// \throws std::system_error when fork fails. A failed exec shows as exit code 127 with
  /// "bnkit: cannot start PROGRAM: REASON" on the child's fd 2.
  explicit Child(const Spawn& spawn);
  Child(Child&& other) noexcept;
  Child& operator=(Child&& other) noexcept;
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child();

  pid_t pid() const { return pid_; }
  /// True until the process has been reaped.
  bool running() const { return pid_ > 0 && !status_; }
  /// Reaps it if it has ended, without blocking: its wait status, or nullopt while it runs.
  std::optional<int> try_wait();
  /// Blocks until it has ended; its wait status.
  int wait();
  /// SIGKILL to its process group (when it has its own) and to it; reaps nothing.
  void kill();
  /// The wait status once reaped.
  std::optional<int> status() const { return status_; }

 private:
  void finish();  ///< kill and reap, if still running

  pid_t pid_ = -1;
  bool own_group_ = false;
  std::optional<int> status_;
};

/// Words for a signal a student's process died of: "SIGSEGV (segmentation fault: memory out
/// of bounds?)".
std::string describe_signal(int sig);

}  // namespace bnkit::process
