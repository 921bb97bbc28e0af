// Running a child process with a time limit, its output captured to a file.
#pragma once

#include "child.hpp"

#include <optional>
#include <string>
#include <vector>

namespace bnkit::runner {

struct ProcessOutcome {
  enum class Kind { kExited, kSignalled, kTimedOut, kCouldNotStart } kind = Kind::kCouldNotStart;
  int code = 0;  ///< exit code, or signal number
  double seconds = 0.0;
};

/// A started child (the one spawner, child.hpp): its own process group (so a timeout kills
/// everything it spawned), stdin from /dev/null, stdout and stderr into `output_path`.
class Child {
 public:
  Child(const std::vector<std::string>& argv, const std::string& output_path, double timeout_s);
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  /// Non-blocking: true once the child has ended (or was killed for its time limit).
  bool poll();
  const ProcessOutcome& outcome() const { return outcome_; }
  /// Seconds since the start.
  double elapsed() const;

 private:
  std::optional<process::Child> child_;  ///< nullopt when it could not start
  double start_ = 0.0;
  double timeout_s_;
  bool done_ = false;
  ProcessOutcome outcome_;
};

/// Runs to the end, blocking. Output goes to `output_path`.
ProcessOutcome run_process(const std::vector<std::string>& argv, const std::string& output_path,
                           double timeout_s);

/// The file as a string ("" if it cannot be read). A file longer than `max_bytes` gives its
/// first max_bytes / 2 and last max_bytes / 2 bytes, with a note of what was left out.
std::string read_file(const std::string& path, std::size_t max_bytes = 256 << 20);

}  // namespace bnkit::runner
