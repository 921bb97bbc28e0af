// What `./bnkit capstone` runs: the main comparison (BatchNorm vs plain, one recipe) or one
// of the experiments, each a table of runs that answers one claim of the notes with a
// measurement, then a short result table and a plot. The runs are plain data (RunSpec); the
// driver (harness/trusted/cli/capstone_command.cpp) runs them and hands the results back here.
#pragma once

#include "plot.hpp"
#include "run_spec.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace bnkit::capstone {

/// The command line's say over the recipe. Unset: the experiment's own default.
struct Overrides {
  std::optional<int> epochs;
  std::optional<long> batch_size;
  std::optional<double> lr;
  std::uint64_t seed = 0;
  std::optional<long> train_limit, test_limit;
};

struct Plan {
  std::string name;     ///< "capstone" (the main comparison) or the experiment's name
  std::string claim;    ///< the notes' claim it measures
  std::vector<RunSpec> runs;
  std::string defaults; ///< "3 epochs, 20,000 training images": said before it runs
};

/// The experiments' names, in the order --help lists them.
const std::vector<std::string>& experiment_names();
/// One line per experiment: "  lr         BN tolerates higher learning rates ...".
std::string experiment_list();

/// The main comparison: BatchNorm and plain, the same seed and recipe.
Plan main_plan(const Overrides& o);
/// An experiment's runs, or nothing for an unknown name. Refuses (error) an override of
/// the very thing the experiment sweeps ("--lr does not go with --experiment lr: it sweeps
/// learning rates").
std::optional<Plan> experiment_plan(const std::string& name, const Overrides& o, std::string& error);

/// The experiment's answer: a short table (and a sentence) from what ran.
std::string summary(const Plan& plan, const std::vector<RunResult>& results);
/// Its plot's panels.
std::vector<Panel> panels(const Plan& plan, const std::vector<RunResult>& results);

/// A text table: columns left-aligned (the first) or right-aligned (the rest).
std::string format_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows,
                         const std::string& indent = "  ");

/// "0.857", "-" for NaN.
std::string fixed(double v, int digits);

}  // namespace bnkit::capstone
