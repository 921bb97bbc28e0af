// Starting a process that runs student code, with every protection the machine offers.
//
//   kFull   bubblewrap: new user, PID, mount, network, IPC and UTS namespaces. The process
//           sees /usr and the files it is given, read-only, and nothing of the kit; it cannot
//           see or signal any process outside; everything in it dies with it.
//   kBasic  no namespaces (no bubblewrap, or no user namespaces: a container, a locked
//           laptop). Its own session and process group, and, when the grader runs as root,
//           the unprivileged user nobody, so it cannot write the kit's files.
// Both levels add resource limits, and the worker's own seccomp filter (worker_seccomp.hpp)
// forbids new processes, exec, sockets, file changes and signals to other processes.
#pragma once

#include "child.hpp"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace bnkit::sandbox {

enum class Level { kFull, kBasic };

struct Limits {
  std::uint64_t address_space_bytes = std::uint64_t{2} << 30;  ///< RLIMIT_AS: 2 GiB
  std::uint64_t cpu_seconds = 60;                              ///< RLIMIT_CPU, for the worker's life
  std::uint64_t file_bytes = 1 << 20;                          ///< RLIMIT_FSIZE
  std::uint64_t open_files = 64;                               ///< RLIMIT_NOFILE
  std::uint64_t processes = 512;                               ///< RLIMIT_NPROC, when not root
};

struct Command {
  std::vector<std::string> argv;        ///< argv[0] is the program's absolute path
  std::vector<std::string> visible;     ///< files the program needs, shown read-only (kFull)
};

/// Starts `command` with child fds 0..5 taken from `fds` (-1: /dev/null), in its own
/// process group, through the one spawner (child.hpp): the Child kills and reaps it when it
/// goes. \throws std::system_error when it cannot fork.
process::Child launch(const Command& command, const std::array<int, 6>& fds, Level level, const Limits& limits);

/// The strongest level that works on this machine (runs a quick probe).
Level detect_level();

const char* to_string(Level level);                  ///< "full", "basic"
bool parse_level(const std::string& text, Level& level);
/// One sentence for the report: what this level protects.
std::string describe(Level level);

}  // namespace bnkit::sandbox
