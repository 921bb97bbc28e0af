// One trainer process as `./bnkit capstone` sees it: started in the sandbox (launch.hpp) with
// the data on its stdin, its JSON reports on fd 3, and whatever the student's code prints
// (fd 1 and 2) kept apart, so a print can never forge a report. Non-blocking: the driver
// polls every running trainer from one loop (pump).
#pragma once

#include "launch.hpp"

#include <nlohmann/json.hpp>

#include <sys/wait.h>

#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace bnkit::capstone {

class TrainerProcess {
 public:
  /// Starts `program args...`; `input` is written to its stdin (shared by every run).
  /// \throws std::runtime_error when it cannot start.
  TrainerProcess(const std::string& program, const std::vector<std::string>& args,
                 std::shared_ptr<const std::string> input, sandbox::Level level);
  TrainerProcess(const TrainerProcess&) = delete;
  TrainerProcess& operator=(const TrainerProcess&) = delete;
  ~TrainerProcess();

  /// The reports that arrived since the last call, in order.
  std::vector<nlohmann::json> take_records();
  /// True once the process has ended and everything it wrote has been read.
  bool finished() const { return exited_; }
  /// After finished(): how it ended.
  bool exited_normally() const { return WIFEXITED(status_); }
  int exit_code() const { return WIFEXITED(status_) ? WEXITSTATUS(status_) : -1; }
  int signal() const { return WIFSIGNALED(status_) ? WTERMSIG(status_) : 0; }
  /// What it printed on stdout and stderr (the student's prints, a sanitiser's report), at
  /// most 64 KiB, and any report line that was not JSON.
  const std::string& output() const { return output_; }
  /// Stops it now (its whole process group; under bubblewrap everything inside dies with it).
  void kill();

  /// Waits up to `timeout_ms` for any of `running` to have something, and handles it.
  /// Returns early (EINTR) when a signal arrives.
  static void pump(const std::vector<TrainerProcess*>& running, int timeout_ms);

 private:
  void on_input();
  void on_reports();
  void on_output();
  void reap(bool block);

  std::optional<process::Child> process_;
  process::Fd input_, reports_, output_pipe_;
  std::shared_ptr<const std::string> input_data_;
  std::size_t written_ = 0;
  std::string partial_;
  std::deque<nlohmann::json> records_;
  std::string output_;
  bool exited_ = false;
  int status_ = 0;  ///< its wait status, once exited_
  double eof_since_ = -1;
};

}  // namespace bnkit::capstone
