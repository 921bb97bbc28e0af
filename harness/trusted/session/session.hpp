// Trusted side: the workers a test binary talks to, and how it talks to them.
//
// A test binary has one worker for the code under test (the student's, a mutant, or the
// reference when grading --reference) and, in instructor mode, one for the oracle (the
// reference solution, whose answers the hidden tests expect). Workers are stateless
// between calls (every call carries its whole state), so a worker that crashed or hung
// is simply started again for the next call.
#pragma once

#include "launch.hpp"
#include "proxy.hpp"

#include <memory>
#include <optional>
#include <string>

namespace bnkit::boundary {

struct WorkerConfig {
  std::string worker_exe;  ///< bnkit-worker
  std::string library;     ///< the lesson's worker library (student, mutant or reference)
  sandbox::Level level = sandbox::Level::kFull;
  sandbox::Limits limits;
  double call_timeout_s = 10.0;
  std::size_t output_limit = 16 * 1024;  ///< bytes of the student's printing kept per test
};

/// One worker process, started on the first call and again after it dies.
class Worker {
 public:
  explicit Worker(WorkerConfig config) : config_(std::move(config)) {}
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;
  ~Worker() { stop(); }

  /// Sends one call and waits for the reply. Throws CallFailed if the worker crashes,
  /// exits, hangs past the time limit, or replies with something unreadable.
  Reply call(const std::string& name, const std::string& args);

  /// What the code printed so far (bounded), with a note of how much was dropped.
  std::string output() const;

 private:
  void start();
  void stop();
  /// The worker is gone (or must go): reap it and say why, for `call`.
  [[noreturn]] void fail(const std::string& call, const std::string& what);
  void drain_output();

  WorkerConfig config_;
  std::optional<process::Child> process_;  ///< nullopt between a death and the next call
  process::Fd request_, reply_, output_pipe_;
  std::string output_;
  std::size_t dropped_ = 0;
  std::string dying_reason_;
};

/// Set once, from the test binary's command line (test_main.cpp).
void set_code_under_test(WorkerConfig config);
void set_oracle(WorkerConfig config);
bool has_oracle();

/// The printing of the code under test during this test, for the result file.
std::string code_under_test_output();

/// While one exists, calls go to the oracle (the reference solution).
class OracleScope {
 public:
  OracleScope();
  ~OracleScope();
  OracleScope(const OracleScope&) = delete;
  OracleScope& operator=(const OracleScope&) = delete;
};

}  // namespace bnkit::boundary
