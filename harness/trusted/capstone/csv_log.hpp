// The CSV log of `./bnkit capstone`: one row per epoch of every run, and one per train-mode
// evaluation (experiment `eval`), written and flushed as the records arrive, so Ctrl-C or a
// crash keeps every row written so far.
#pragma once

#include "run_spec.hpp"

#include <fstream>
#include <string>

namespace bnkit::capstone {

class CsvLog {
 public:
  /// Creates (truncates) `path` and writes the header. \throws std::runtime_error if it cannot.
  CsvLog(const std::string& path, const std::string& experiment);

  /// A row for an epoch of `run` (mode "eval": test accuracy in eval mode).
  void epoch(const RunSpec& run, const EpochResult& e);
  /// A row for a train-mode evaluation after the last epoch `epoch` (mode "train").
  void train_mode(const RunSpec& run, int epoch, const TrainModeResult& t);

  const std::string& path() const { return path_; }
  int rows() const { return rows_; }

  static const char* header();

 private:
  void row(const RunSpec& run, const std::string& rest);
  std::ofstream out_;
  std::string path_, experiment_;
  int rows_ = 0;
};

}  // namespace bnkit::capstone
