// bnkit bench capstone: the reference capstone against PyTorch on the same model and recipe,
// on this machine, in one go: seconds per training epoch (one thread, batch 32), test
// accuracy after the last epoch, and the ratio. Shown, never graded.
//
// The two programs alternate (bnkit plain, PyTorch plain, bnkit BN, PyTorch BN) so that a
// machine that slows down mid-run slows both sides of a ratio. An epoch's time is training
// only (evaluation excluded on both sides); a model's time is the median over its epochs.
// Accuracy is the final epoch's, averaged over --seeds K seeds: the two programs draw
// different random numbers, so only a mean over seeds says whether they learn equally well.
#include "arguments.hpp"
#include "capstone_trainer.hpp"
#include "commands.hpp"
#include "paths.hpp"
#include "process.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <optional>
#include <sstream>
#include <thread>

namespace bnkit::cli {

namespace {

namespace fs = std::filesystem;

struct Side {
  std::vector<double> seconds;     ///< training seconds of each epoch (every seed)
  std::vector<double> accuracies;  ///< test accuracy after the last epoch, one per seed
  std::vector<double> late;        ///< test accuracies of the last half of the epochs, every seed
  std::string failure;             ///< why there is no result
};

double mean(const std::vector<double>& v) {
  double sum = 0;
  for (double x : v) sum += x;
  return v.empty() ? 0 : sum / static_cast<double>(v.size());
}

double standard_deviation(const std::vector<double>& v) {
  if (v.size() < 2) return 0;
  const double m = mean(v);
  double sum = 0;
  for (double x : v) sum += (x - m) * (x - m);
  return std::sqrt(sum / static_cast<double>(v.size() - 1));
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/// Runs argv (its output into log) and adds its JSON lines to `side`: epoch records carry
/// "seconds" and "test_accuracy" in both programs.
void run_side(Side& side, const std::vector<std::string>& argv, const std::string& log, double timeout_s) {
  double accuracy = -1;
  std::vector<double> curve;
  const runner::ProcessOutcome outcome = runner::run_process(argv, log, timeout_s);
  std::ifstream in(log);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] != '{') continue;
    const nlohmann::json record = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (record.is_discarded() || !record.is_object()) continue;
    if (record.value("event", "epoch") == "error") side.failure = record.value("message", "an error");
    if (!record.contains("test_accuracy") || !record["seconds"].is_number()) continue;
    side.seconds.push_back(record["seconds"].get<double>());
    if (record["test_accuracy"].is_number()) {
      accuracy = record["test_accuracy"].get<double>();
      curve.push_back(accuracy);
    }
  }
  if (outcome.kind != runner::ProcessOutcome::Kind::kExited || outcome.code != 0) {
    if (side.failure.empty()) side.failure = "it failed (log: " + log + ")";
  } else if (accuracy >= 0) {
    side.accuracies.push_back(accuracy);
    side.late.insert(side.late.end(), curve.begin() + static_cast<long>(curve.size() / 2), curve.end());
  }
}

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  }
  return "unknown CPU";
}

std::string fixed(double v, int digits) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(digits) << v;
  return s.str();
}

bool torch_available(const std::string& python) {
  const runner::ProcessOutcome o =
      runner::run_process({python, "-c", "import torch"}, (fs::temp_directory_path() / "bnkit-torch-probe.log").string(), 120.0);
  return o.kind == runner::ProcessOutcome::Kind::kExited && o.code == 0;
}

}  // namespace

int bench_capstone_command(const Args& args) {
  int epochs = 10, seeds = 1;
  std::string data = "/usr/share/datasets/fashion-mnist";
  bool without_torch = false;
  CLI::App app{"The reference capstone against PyTorch on the same model and recipe, on this machine: "
               "seconds per training epoch, test accuracy, and their ratio. Shown, never graded."};
  setup_parser(app, "bench capstone");
  std::string epochs_text, seeds_text;
  app.add_option("--epochs", epochs_text, "epochs per model (default 10)")->type_name("N");
  app.add_option("--seeds", seeds_text, "seeds to average the accuracy over (default 1)")->type_name("K");
  app.add_option("--data", data, "the Fashion-MNIST IDX files (default: Debian's)")->type_name("DIR");
  app.add_flag("--no-torch", without_torch, "time bnkit only");
  std::string error;
  if (const Parsed p = parse_arguments(app, "bench capstone", args, error); p != Parsed::kOk) {
    return p == Parsed::kHelp ? 0 : usage_error(error);
  }
  if (app.count("--epochs")) {
    const auto n = whole_number(epochs_text, 1, 100);
    if (!n) return usage_error("--epochs needs a whole number from 1 to 100");
    epochs = static_cast<int>(*n);
  }
  if (app.count("--seeds")) {
    const auto n = whole_number(seeds_text, 1, 20);
    if (!n) return usage_error("--seeds needs a whole number from 1 to 20");
    seeds = static_cast<int>(*n);
  }
  if (data.empty()) return usage_error("--data needs a folder of IDX files");
  bool with_torch = !without_torch;
  if (!fs::is_directory(data)) {
    return usage_error("no data folder " + data + " (Debian's dataset-fashion-mnist installs it; ./bnkit bench capstone "
                       "installs it when run as root), or name one with --data DIR");
  }
  const std::string python = "/usr/bin/python3";
  const std::string script = source_dir() + "/harness/bench/capstone_torch.py";
  if (with_torch && !torch_available(python)) {
    std::cout << "bnkit bench capstone: PyTorch is not installed (Debian: python3-torch); timing bnkit alone.\n";
    with_torch = false;
  }

  std::cout << "bnkit bench capstone: speed shown, not graded.\n"
            << "  machine: " << cpu_model() << ", " << std::thread::hardware_concurrency()
            << " cores; one thread each, batch 32, SGD lr 0.1, weight decay 1e-4 (weights only), "
            << epochs << " epochs of " << data << (seeds > 1 ? ", seeds 1.." + std::to_string(seeds) : std::string(", seed 1"))
            << "\n";
  const std::string trainer = build_capstone_trainer(/*reference=*/true);
  if (trainer.empty()) return 1;

  const std::string logs = source_dir() + "/build/release/bench-capstone";
  fs::create_directories(logs);
  struct Row {
    std::string model, label;
    Side bnkit, torch;
  };
  std::vector<Row> rows(2);
  rows[0].model = "plain", rows[0].label = "without BatchNorm";
  rows[1].model = "bn", rows[1].label = "with BatchNorm";
  for (int seed = 1; seed <= seeds; ++seed) {
    for (Row& row : rows) {
      const std::string tag = row.model + "-seed" + std::to_string(seed);
      std::cout << "  " << row.label << (seeds > 1 ? ", seed " + std::to_string(seed) : std::string()) << ": bnkit ..."
                << std::flush;
      run_side(row.bnkit, {trainer, "--data", data, "--norm", row.model == "bn" ? "batch" : "none", "--epochs",
                           std::to_string(epochs), "--seed", std::to_string(seed), "--lr", "0.1", "--weight-decay",
                           "1e-4", "--batch-size", "32", "--progress-interval", "1000"},
               logs + "/bnkit-" + tag + ".log", 60.0 * epochs + 120);
      if (with_torch) {
        std::cout << " PyTorch (about 10-15 s an epoch) ..." << std::flush;
        run_side(row.torch, {python, script, "--data", data, "--epochs", std::to_string(epochs), "--models", row.model,
                             "--seed", std::to_string(seed)},
                 logs + "/torch-" + tag + ".log", 120.0 * epochs + 300);
      }
      std::cout << " done" << std::endl;
    }
  }

  std::cout << "\n  model               bnkit s/epoch  PyTorch s/epoch   ratio   bnkit acc  PyTorch acc  diff (pts)\n";
  bool all_fast = true, all_close = true;
  for (const Row& row : rows) {
    std::cout << "  " << std::left << std::setw(20) << row.label << std::right;
    if (!row.bnkit.failure.empty() || row.bnkit.accuracies.empty()) {
      std::cout << "bnkit failed: " << row.bnkit.failure << "\n";
      all_fast = all_close = false;
      continue;
    }
    const double ours = median(row.bnkit.seconds);
    std::cout << std::setw(13) << fixed(ours, 3);
    if (!with_torch || row.torch.accuracies.empty() || !row.torch.failure.empty()) {
      std::cout << "   " << (with_torch ? "PyTorch failed: " + row.torch.failure : std::string("(no PyTorch)")) << "\n";
      all_fast = all_close = false;
      continue;
    }
    const double theirs = median(row.torch.seconds);
    const double ours_accuracy = mean(row.bnkit.accuracies), theirs_accuracy = mean(row.torch.accuracies);
    const double ratio = theirs / ours, diff = 100.0 * (ours_accuracy - theirs_accuracy);
    all_fast = all_fast && ratio >= 5.0;
    all_close = all_close && std::abs(diff) <= 0.5;
    std::cout << std::setw(17) << fixed(theirs, 3) << std::setw(7) << fixed(ratio, 1) << "x" << std::setw(12)
              << fixed(ours_accuracy, 4) << std::setw(13) << fixed(theirs_accuracy, 4) << std::setw(12)
              << (diff >= 0 ? "+" : "") + fixed(diff, 2) << "\n";
  }
  if (with_torch) {
    std::cout << "\n  target: at least 5x PyTorch's speed per epoch: " << (all_fast ? "met" : "NOT met") << "\n"
              << "  target: test accuracy within 0.5 points of PyTorch's after " << epochs << " epochs"
              << (seeds > 1 ? " (means over " + std::to_string(seeds) + " seeds)" : std::string()) << ": "
              << (all_close ? "met" : "not met") << "\n";
    for (const Row& row : rows) {
      if (row.bnkit.late.empty() || row.torch.late.empty()) continue;
      const double ours = mean(row.bnkit.late), theirs = mean(row.torch.late);
      std::cout << "    " << row.label << ": mean test accuracy over the last " << (epochs - epochs / 2)
                << " epochs (less epoch-to-epoch noise): bnkit " << fixed(ours, 4) << ", PyTorch " << fixed(theirs, 4)
                << " (" << (ours >= theirs ? "+" : "") << fixed(100 * (ours - theirs), 2) << " points)\n";
    }
    if (seeds > 1) {
      for (const Row& row : rows) {
        std::cout << "    " << row.label << ": seed-to-seed standard deviation " << fixed(100 * standard_deviation(row.bnkit.accuracies), 2)
                  << " points (bnkit), " << fixed(100 * standard_deviation(row.torch.accuracies), 2) << " (PyTorch)\n";
      }
    } else {
      std::cout << "    one seed: the two programs draw different random numbers, and one seed's final accuracy\n"
                   "    moves by about half a point from seed to seed; --seeds 3 compares means\n";
    }
  }
  std::cout << "  logs: " << logs << "/\n  bnkit bench capstone: speed shown, not graded.\n";
  return 0;
}

}  // namespace bnkit::cli
