// Running a capstone plan: one trainer process per run, a few at a time, their JSON records
// decoded into results (and the CSV) as they arrive, the terminal's progress line and table,
// Ctrl-C, and the sentence that says why a run failed.
#pragma once

#include "csv_log.hpp"
#include "experiments.hpp"
#include "launch.hpp"
#include "terminal.hpp"

#include <memory>
#include <string>
#include <vector>

namespace bnkit::cli {

struct RunSettings {
  std::string program;                      ///< the trainer (capstone_trainer.hpp)
  std::shared_ptr<const std::string> data;  ///< what every trainer gets on stdin (capstone_inputs.hpp)
  sandbox::Level level = sandbox::Level::kBasic;
  int threads = 1;         ///< runs at once
  bool reference = false;  ///< the solutions train (changes only what a failure says)
};

struct RunOutcome {
  std::vector<capstone::RunResult> results;  ///< one per run of the plan, in its order
  std::string fatal;                         ///< why the plan stopped, or ""
  bool stopped = false;                      ///< Ctrl-C (or SIGTERM)
  double seconds = 0;
};

/// Runs every run of `plan`; records go to `csv` as they arrive.
RunOutcome run_plan(const capstone::Plan& plan, const RunSettings& settings, capstone::CsvLog& csv, const Style& style);

/// "12.3 s", "2 min 05 s".
std::string seconds_text(double s);

}  // namespace bnkit::cli
