// bnkit capstone [--reference] [--experiment NAME] [--epochs N] [--batch-size B] [--lr X]
//                [--seed S] [--threads T] [--out DIR] [--data DIR] [--train-limit N] [--test-limit N]
//
// The capstone's driver (trusted), in parts: this file (the flags, the plan, the output
// folder, the report), capstone_inputs (the data), capstone_runs (the trainer processes and
// their records), capstone_trainer (building the trainer). It trains the notes' MLP with and without BatchNorm (or an
// experiment's table of runs) and shows the difference: a progress bar, a table per epoch,
// a CSV written as the numbers arrive, and plots. Every run is one trainer process
// (harness/worker/capstone_trainer/trainer_main.cpp), built in build/release from the student's lessons or
// the solutions, started in the sandbox with the data on its stdin; it reports JSON lines
// and writes no file. Ctrl-C stops the trainers, keeps the CSV, draws what it has, exits 130.
#include "arguments.hpp"
#include "capstone_inputs.hpp"
#include "capstone_runs.hpp"
#include "capstone_trainer.hpp"
#include "commands.hpp"
#include "csv_log.hpp"
#include "experiments.hpp"
#include "paths.hpp"
#include "plot.hpp"
#include "terminal.hpp"

#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <tuple>

namespace bnkit::cli {

namespace {

namespace fs = std::filesystem;
using capstone::Plan;
using capstone::RunResult;

struct Options {
  bool reference = false;
  std::string experiment;
  capstone::Overrides overrides;
  int threads = 1;
  std::string out, data;
};

/// Parses the flags (CLI11, arguments.hpp), then checks their values in the kit's words.
/// Returns kOk, kHelp, or kError with `error` set.
Parsed parse(const Args& args, Options& o, std::string& error) {
  CLI::App app{"Trains the course notes' MLP on Fashion-MNIST with and without your BatchNorm (or an "
               "experiment's runs) and shows the difference: a table per epoch, a CSV and plots."};
  setup_parser(app, "capstone");
  std::string epochs, batch_size, lr, seed, threads, train_limit, test_limit;
  app.add_flag("--reference", o.reference, "train with the reference solutions instead of your lessons");
  app.add_option("--experiment", o.experiment, "run an experiment's table of runs (see the list below)")->type_name("NAME");
  app.add_option("--epochs", epochs, "epochs per run (default: the plan's)")->type_name("N");
  app.add_option("--batch-size", batch_size, "mini-batch size (default 32)")->type_name("B");
  app.add_option("--lr", lr, "learning rate (default: the plan's)")->type_name("X");
  app.add_option("--seed", seed, "the first run's seed (default 0)")->type_name("S");
  app.add_option("--threads", threads, "how many runs train at once, one core each (default 1)")->type_name("T");
  app.add_option("--out", o.out, "where the CSV and plots go (default build/capstone)")->type_name("DIR");
  app.add_option("--data", o.data, "the Fashion-MNIST IDX files (default: Debian's)")->type_name("DIR");
  app.add_option("--train-limit", train_limit, "train on the first N images only")->type_name("N");
  app.add_option("--test-limit", test_limit, "test on the first N images only")->type_name("N");
  app.footer("Experiments:\n" + capstone::experiment_list());
  if (const Parsed p = parse_arguments(app, "capstone", args, error); p != Parsed::kOk) return p;

  error = [&]() -> std::string {
    if (app.count("--experiment") && o.experiment.empty())
      return "--experiment needs a name. Valid experiments:\n" + capstone::experiment_list();
    if (app.count("--epochs")) {
      const auto n = whole_number(epochs, 1, 1000);
      if (!n) return "--epochs needs a whole number from 1 to 1000, e.g. --epochs 3";
      o.overrides.epochs = static_cast<int>(*n);
    }
    if (app.count("--batch-size")) {
      const auto n = whole_number(batch_size, 1, 60000);
      if (!n) return "--batch-size needs a whole number from 1 to 60000, e.g. --batch-size 64";
      o.overrides.batch_size = static_cast<long>(*n);
    }
    if (app.count("--lr")) {
      const auto v = number_above(lr, 0.0, 100.0);
      if (!v) return "--lr needs a learning rate above 0 (at most 100), e.g. --lr 0.05";
      o.overrides.lr = *v;
    }
    if (app.count("--seed")) {
      const auto n = whole_number(seed, 0, 999999999999999LL);
      if (!n) return "--seed needs a whole number below 10^15, e.g. --seed 42";
      o.overrides.seed = static_cast<std::uint64_t>(*n);
    }
    if (app.count("--threads")) {
      const auto n = whole_number(threads, 1, 64);
      if (!n) return "--threads needs a whole number from 1 to 64 (how many runs train at once, one core each)";
      o.threads = static_cast<int>(*n);
    }
    for (const auto& [flag, text, limit] : {std::tuple{"--train-limit", &train_limit, &o.overrides.train_limit},
                                            std::tuple{"--test-limit", &test_limit, &o.overrides.test_limit}}) {
      if (!app.count(flag)) continue;
      const auto n = whole_number(*text, 2, 100000000);
      if (!n) return std::string(flag) + " needs a whole number of images, at least 2, e.g. " + flag + " 5000";
      *limit = static_cast<long>(*n);
    }
    for (const auto& [flag, folder] : {std::pair{"--out", &o.out}, std::pair{"--data", &o.data}}) {
      if (app.count(flag) && folder->empty()) return std::string(flag) + " needs a folder";
    }
    return "";
  }();
  return error.empty() ? Parsed::kOk : Parsed::kError;
}

}  // namespace

int capstone_command(const Args& args) {
  Options o;
  std::string error;
  if (const Parsed p = parse(args, o, error); p != Parsed::kOk) return p == Parsed::kHelp ? 0 : usage_error(error);
  Plan plan;
  if (o.experiment.empty()) {
    plan = capstone::main_plan(o.overrides);
  } else {
    const auto p = capstone::experiment_plan(o.experiment, o.overrides, error);
    if (!p) return usage_error(error);
    plan = *p;
  }

  // The data: checked before anything is built.
  std::string data_error;
  const std::optional<Inputs> inputs = load_inputs(plan, o.data, data_error);
  if (!inputs) {
    std::cerr << "bnkit: " << data_error << "\n";
    return 1;
  }

  const std::string out_dir = o.out.empty() ? source_dir() + "/build/capstone" : o.out;
  std::error_code mkdir_error;
  fs::create_directories(out_dir, mkdir_error);
  if (!fs::is_directory(out_dir)) {
    std::cerr << "bnkit: --out " << out_dir << ": cannot create that folder (" << mkdir_error.message() << ")\n";
    return 1;
  }

  const Style style;
  std::cout << style.bold("bnkit capstone" + (plan.name == "capstone" ? std::string() : " --experiment " + plan.name)) << ": "
            << plan.claim << "\n  " << plan.defaults << "; " << plan.runs.size() << " runs, " << o.threads
            << " at a time (--threads)\n  data: " << inputs->data_dir << " (" << inputs->n_train << " training, " << inputs->n_test
            << " test images)\n  code: "
            << (o.reference ? "the reference solutions (--reference)" : "your lessons 01, 04, 06, 08 and 12") << "\n";
  const std::string program = build_capstone_trainer(o.reference);
  if (program.empty()) return 1;

  const std::string base = (fs::path(out_dir) / plan.name).string();
  std::unique_ptr<capstone::CsvLog> csv;
  try {
    csv = std::make_unique<capstone::CsvLog>(base + ".csv", plan.name);
  } catch (const std::exception& e) {
    std::cerr << "bnkit: " << e.what() << "\n";
    return 1;
  }

  RunSettings settings;
  settings.program = program;
  settings.data = inputs->data;
  settings.level = sandbox::detect_level();
  settings.threads = o.threads;
  settings.reference = o.reference;
  const RunOutcome outcome = run_plan(plan, settings, *csv, style);
  const std::vector<RunResult>& results = outcome.results;
  const std::string& fatal = outcome.fatal;
  const bool stopped = outcome.stopped;

  if (!fatal.empty()) {
    std::cerr << "bnkit: " << fatal << "\n";
    if (csv->rows() > 0) {
      std::cerr << "  (" << csv->rows() << " rows in " << csv->path() << ")\n";
    } else {
      const std::string path = csv->path();
      csv.reset();
      fs::remove(path);
    }
    return 1;
  }

  const double total = outcome.seconds;
  std::cout << "\n";
  if (stopped) std::cout << style.yellow("  stopped (Ctrl-C): kept what was written so far") << "\n";
  const std::string answer = capstone::summary(plan, results);
  if (!answer.empty()) std::cout << answer << "\n";
  const capstone::PlotResult plot = capstone::draw(
      plan.name == "capstone" ? "BatchNorm vs plain MLP on Fashion-MNIST" : "experiment " + plan.name + ": " + plan.claim,
      capstone::panels(plan, results), base);
  std::cout << "  trained in " << seconds_text(total) << "; files in " << out_dir << ":\n    " << fs::path(csv->path()).filename().string()
            << " (" << csv->rows() << " rows)\n";
  for (const std::string& f : plot.files) std::cout << "    " << fs::path(f).filename().string() << "\n";
  if (!plot.drawn) std::cout << "  no plots: " << plot.note << "\n";
  return stopped ? 130 : 0;
}

}  // namespace bnkit::cli
