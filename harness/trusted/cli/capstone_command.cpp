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

namespace bnkit::cli {

namespace {

namespace fs = std::filesystem;
using capstone::Plan;
using capstone::RunResult;

constexpr const char* kFlags =
    "--reference, --experiment NAME, --epochs N, --batch-size B, --lr X, --seed S, --threads T, --out DIR, "
    "--data DIR, --train-limit N, --test-limit N";

struct Options {
  bool reference = false;
  std::string experiment;
  capstone::Overrides overrides;
  int threads = 1;
  std::string out, data;
};

/// Parses the flags; returns an error message, or "" when they are fine.
std::string parse(const Args& args, Options& o) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&]() -> std::optional<std::string> {
      if (i + 1 >= args.size() || args[i + 1].rfind("--", 0) == 0) return std::nullopt;
      return args[++i];
    };
    auto whole = [&](long long low, long long high, const std::string& example) -> std::optional<long long> {
      const auto v = value();
      if (!v || v->empty() || v->find_first_not_of("0123456789") != std::string::npos || v->size() > 18) return std::nullopt;
      const long long n = std::stoll(*v);
      if (n < low || n > high) return std::nullopt;
      (void)example;
      return n;
    };
    if (a == "--reference") o.reference = true;
    else if (a == "--experiment") {
      const auto v = value();
      if (!v) return "--experiment needs a name. Valid experiments:\n" + capstone::experiment_list();
      o.experiment = *v;
    } else if (a == "--epochs") {
      const auto n = whole(1, 1000, "");
      if (!n) return "--epochs needs a whole number from 1 to 1000, e.g. --epochs 3";
      o.overrides.epochs = static_cast<int>(*n);
    } else if (a == "--batch-size") {
      const auto n = whole(1, 60000, "");
      if (!n) return "--batch-size needs a whole number from 1 to 60000, e.g. --batch-size 64";
      o.overrides.batch_size = static_cast<long>(*n);
    } else if (a == "--lr") {
      const auto v = value();
      char* end = nullptr;
      const double lr = v ? std::strtod(v->c_str(), &end) : 0.0;
      if (!v || v->empty() || *end != '\0' || !(lr > 0) || !(lr <= 100)) {
        return "--lr needs a learning rate above 0 (at most 100), e.g. --lr 0.05";
      }
      o.overrides.lr = lr;
    } else if (a == "--seed") {
      const auto n = whole(0, 999999999999999LL, "");
      if (!n) return "--seed needs a whole number below 10^15, e.g. --seed 42";
      o.overrides.seed = static_cast<std::uint64_t>(*n);
    } else if (a == "--threads") {
      const auto n = whole(1, 64, "");
      if (!n) return "--threads needs a whole number from 1 to 64 (how many runs train at once, one core each)";
      o.threads = static_cast<int>(*n);
    } else if (a == "--train-limit" || a == "--test-limit") {
      const auto n = whole(2, 100000000, "");
      if (!n) return a + " needs a whole number of images, at least 2, e.g. " + a + " 5000";
      (a == "--train-limit" ? o.overrides.train_limit : o.overrides.test_limit) = static_cast<long>(*n);
    } else if (a == "--out" || a == "--data") {
      const auto v = value();
      if (!v || v->empty()) return a + " needs a folder";
      (a == "--out" ? o.out : o.data) = *v;
    } else {
      return "unknown " + std::string(a.rfind("-", 0) == 0 ? "flag" : "argument") + " '" + a +
             "' for capstone. Valid flags: " + kFlags;
    }
  }
  return "";
}

}  // namespace

int capstone_command(const Args& args) {
  Options o;
  if (const std::string error = parse(args, o); !error.empty()) return usage_error(error);
  Plan plan;
  if (o.experiment.empty()) {
    plan = capstone::main_plan(o.overrides);
  } else {
    std::string error;
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
