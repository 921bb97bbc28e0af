// bnkit capstone [--reference] [--experiment NAME] [--epochs N] [--batch-size B] [--lr X]
//                [--seed S] [--threads T] [--out DIR] [--data DIR] [--train-limit N] [--test-limit N]
//
// The capstone's driver (trusted): trains the notes' MLP with and without BatchNorm (or an
// experiment's table of runs) and shows the difference: a progress bar, a table per epoch,
// a CSV written as the numbers arrive, and plots. Every run is one trainer process
// (harness/worker/capstone_trainer/trainer_main.cpp), built in build/release from the student's lessons or
// the solutions, started in the sandbox with the data on its stdin; it reports JSON lines
// and writes no file. Ctrl-C stops the trainers, keeps the CSV, draws what it has, exits 130.
#include "capstone_trainer.hpp"
#include "commands.hpp"
#include "csv_log.hpp"
#include "data_pipe.hpp"
#include "eigen_failure_report.hpp"
#include "experiments.hpp"
#include "idx.hpp"
#include "launch.hpp"
#include "paths.hpp"
#include "plot.hpp"
#include "process.hpp"
#include "terminal.hpp"
#include "trainer_process.hpp"

#include <signal.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <filesystem>
#include <iostream>
#include <memory>
#include <regex>
#include <sstream>

namespace bnkit::cli {

namespace {

namespace fs = std::filesystem;
using capstone::EpochResult;
using capstone::Plan;
using capstone::RunResult;
using capstone::RunSpec;
using Status = capstone::RunResult::Status;

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

volatile std::sig_atomic_t g_stop = 0;
extern "C" void on_stop_signal(int) { g_stop = 1; }

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

std::string seconds_text(double s) {
  if (s < 60) return fmt::format("{:.1f} s", s);
  return fmt::format("{} min {:02d} s", static_cast<int>(s) / 60, static_cast<int>(s) % 60);
}

/// "lesson 12 is not finished: train_epoch() is not implemented yet", from a stub's
/// "not implemented yet: lesson 12, train_epoch(): the training loop".
std::string not_finished(const std::string& todo, std::string* lesson_out = nullptr) {
  static const std::regex pattern(R"(not implemented yet: lesson (\d+), ([A-Za-z_0-9:]+\(\)))");
  std::smatch m;
  if (!std::regex_search(todo, m, pattern)) return printable(todo);
  if (lesson_out) *lesson_out = m[1];
  const std::string what = "lesson " + m[1].str() + " is not finished: " + m[2].str() + " is not implemented yet";
  return m[1] == "12" ? what : what + " (lesson 12 builds on it)";
}

/// The sentence `./bnkit grade` shows for a failed Eigen check, naming the student's line.
std::string eigen_message(const std::string& record, const std::string& program) {
  const auto check = boundary::parse_eigen_check(record);
  if (!check) return "your code failed one of Eigen's checks";
  std::vector<std::string> argv = {BNKIT_ADDR2LINE, "-a", "-f", "-C", "-e", program};
  for (const std::uint64_t offset : check->offsets) {
    std::ostringstream hex;
    hex << "0x" << std::hex << offset;
    argv.push_back(hex.str());
  }
  std::vector<boundary::SourceFrame> frames;
  const std::string log = program + ".addr2line.txt";
  const runner::ProcessOutcome outcome = runner::run_process(argv, log, 20.0);
  if (outcome.kind == runner::ProcessOutcome::Kind::kExited && outcome.code == 0) {
    frames = boundary::parse_addr2line(runner::read_file(log));
  }
  fs::remove(log);
  return boundary::eigen_failure_message("your code", *check, frames, source_dir(), "");
}


/// The data every run gets on its stdin: the header and both splits, checked once here.
std::shared_ptr<const std::string> load_data(const std::string& dir, long train_limit, long test_limit,
                                             long& n_train, long& n_test) {
  const capstone::IdxSplit train = capstone::load_split_bytes(dir, "train", train_limit);
  const capstone::IdxSplit test = capstone::load_split_bytes(dir, "t10k", test_limit);
  if (train.rows != test.rows || train.cols != test.cols) {
    throw capstone::DataError(dir + ": the training images are " + std::to_string(train.rows) + "x" +
                              std::to_string(train.cols) + " but the test images " + std::to_string(test.rows) + "x" +
                              std::to_string(test.cols));
  }
  if (train.size() < 2 || test.size() < 1) throw capstone::DataError(dir + ": too few images to train and test on");
  n_train = train.size();
  n_test = test.size();
  auto blob = std::make_shared<std::string>(capstone::data_pipe_header(train, test));
  blob->reserve(blob->size() + train.images.size() + train.labels.size() + test.images.size() + test.labels.size());
  for (const auto* bytes : {&train.images, &train.labels, &test.images, &test.labels}) blob->append(bytes->begin(), bytes->end());
  return blob;
}

/// The terminal's one changing line: what is training now.
class Progress {
 public:
  explicit Progress(const Style& style) : style_(style), tty_(isatty(STDOUT_FILENO)) {}
  bool tty() const { return tty_; }
  void show(const std::string& text) {
    if (!tty_) return;
    std::cout << kClearLine << text << std::flush;
    shown_ = true;
  }
  /// Prints a line above the progress line.
  void print(const std::string& text) {
    clear();
    std::cout << text << std::flush;
  }
  void clear() {
    if (tty_ && shown_) std::cout << kClearLine << std::flush;
    shown_ = false;
  }
  std::string bar(long step, long steps) const { return style_.bar(static_cast<int>(step), static_cast<int>(std::max(1L, steps)), 16); }

 private:
  const Style& style_;
  bool tty_;
  bool shown_ = false;
};

/// The main comparison's table: a row per epoch, both models side by side.
class EpochTable {
 public:
  std::string header() const {
    return "  epoch  |   BatchNorm: train loss  test acc  seconds  |   plain: train loss  test acc  seconds\n"
           "  -------+" + std::string(45, '-') + "+" + std::string(39, '-') + "\n";
  }
  std::string row(int epoch, const EpochResult& bn, const EpochResult& plain) const {
    return fmt::format("  {:5d}  |  {:>22}  {:>8}  {:7.2f}  |  {:>18}  {:>8}  {:7.2f}\n", epoch, loss(bn),
                       capstone::fixed(bn.test_accuracy, 4), bn.seconds, loss(plain),
                       capstone::fixed(plain.test_accuracy, 4), plain.seconds);
  }

 private:
  static std::string loss(const EpochResult& e) { return e.diverged ? "NaN (diverged)" : capstone::fixed(e.train_loss, 4); }
};

std::string run_line(const RunResult& r) {
  std::ostringstream s;
  const EpochResult* e = r.last();
  double seconds = 0;
  for (const EpochResult& x : r.epochs) seconds += x.seconds;
  s << "  " << r.spec.label << ": ";
  if (!e) s << "no epoch finished";
  else if (e->diverged) s << "diverged (NaN loss) in epoch " << e->epoch << ", test accuracy " << capstone::fixed(e->test_accuracy, 3);
  else s << "loss " << capstone::fixed(e->train_loss, 3) << ", test accuracy " << capstone::fixed(e->test_accuracy, 3);
  s << "  (" << r.epochs.size() << (r.epochs.size() == 1 ? " epoch, " : " epochs, ") << seconds_text(seconds) << ")\n";
  return s.str();
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
  const bool default_data = o.data.empty();
  const std::string data_dir = default_data ? capstone::kDebianFashionMnist : o.data;
  if (!fs::is_directory(data_dir)) {
    if (default_data) {
      std::cerr << "bnkit: the Fashion-MNIST data is not installed (" << data_dir
                << " is missing). It comes in Debian's package dataset-fashion-mnist:\n\n"
                   "    sudo apt-get install -y dataset-fashion-mnist\n\n"
                   "(./bnkit capstone installs it itself when run as root), or point --data at a folder of IDX files\n"
                   "in MNIST's layout (train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], t10k-...).\n";
    } else {
      std::cerr << "bnkit: --data " << o.data << ": no such folder (it needs the IDX files train-images-idx3-ubyte[.gz], "
                << "train-labels-idx1-ubyte[.gz], t10k-images-idx3-ubyte[.gz] and t10k-labels-idx1-ubyte[.gz])\n";
    }
    return 1;
  }
  // Load what the most demanding run needs (0: all).
  long train_limit = 0, test_limit = 0;
  bool all_train = false, all_test = false;
  for (const RunSpec& r : plan.runs) {
    all_train = all_train || r.train_limit == 0;
    all_test = all_test || r.test_limit == 0;
    train_limit = std::max(train_limit, r.train_limit);
    test_limit = std::max(test_limit, r.test_limit);
  }
  if (all_train) train_limit = 0;
  if (all_test) test_limit = 0;
  std::shared_ptr<const std::string> data;
  long n_train = 0, n_test = 0;
  try {
    data = load_data(data_dir, train_limit, test_limit, n_train, n_test);
  } catch (const capstone::DataError& e) {
    std::cerr << "bnkit: the data cannot be used: " << e.what() << "\n";
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
            << " at a time (--threads)\n  data: " << data_dir << " (" << n_train << " training, " << n_test
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

  const sandbox::Level level = sandbox::detect_level();
  struct sigaction stop {};
  stop.sa_handler = on_stop_signal;  // no SA_RESTART: poll returns at once
  sigemptyset(&stop.sa_mask);
  struct sigaction old_int {}, old_term {};
  sigaction(SIGINT, &stop, &old_int);
  sigaction(SIGTERM, &stop, &old_term);
  signal(SIGPIPE, SIG_IGN);

  std::vector<RunResult> results;
  for (const RunSpec& spec : plan.runs) results.push_back(RunResult{spec, Status::kPending, 0, 0, 0, {}, {}, ""});
  std::vector<std::unique_ptr<capstone::TrainerProcess>> process(results.size());
  Progress progress(style);
  EpochTable table;
  const bool side_by_side = plan.name == "capstone" && results.size() == 2;
  int table_rows = 0;
  std::string fatal;
  const auto started = std::chrono::steady_clock::now();
  std::size_t finished = 0;


  auto handle = [&](std::size_t i, const nlohmann::json& rec) -> std::optional<nlohmann::json> {
    RunResult& r = results[i];
    const std::string event = rec.value("event", "");
    auto num = [&](const char* key) {
      const auto it = rec.find(key);
      return it != rec.end() && it->is_number() ? it->get<double>() : NAN;
    };
    if (event == "start") {
      r.steps = static_cast<long>(num("steps"));
    } else if (event == "progress") {
      r.epoch = static_cast<int>(num("epoch"));
      r.step = static_cast<long>(num("step"));
    } else if (event == "epoch") {
      EpochResult e;
      e.epoch = static_cast<int>(num("epoch"));
      e.train_loss = num("train_loss");
      e.test_accuracy = num("test_accuracy");
      e.seconds = num("seconds");
      e.diverged = rec.value("diverged", false);
      if (rec.contains("gamma_abs_mean")) e.gamma_abs_mean = num("gamma_abs_mean");
      r.epochs.push_back(e);
      r.epoch = e.epoch + 1;
      r.step = 0;
      csv->epoch(r.spec, e);
      if (side_by_side) {
        const std::size_t n = std::min(results[0].epochs.size(), results[1].epochs.size());
        while (table_rows < static_cast<int>(n)) {
          std::string text = table_rows == 0 ? table.header() : "";
          text += table.row(table_rows + 1, results[0].epochs[static_cast<std::size_t>(table_rows)],
                            results[1].epochs[static_cast<std::size_t>(table_rows)]);
          progress.print(text);
          ++table_rows;
        }
        // A diverged run stops early: the other's rows go on alone.
      }
    } else if (event == "train_mode_eval") {
      capstone::TrainModeResult t;
      t.batch_size = static_cast<long>(num("batch_size"));
      t.accuracy = num("accuracy");
      t.accuracy_bn_only = num("accuracy_bn_only");
      t.error = printable(rec.value("error", ""));
      r.train_mode.push_back(t);
      csv->train_mode(r.spec, r.epochs.empty() ? 0 : r.epochs.back().epoch, t);
    } else if (event == "error") {
      return rec;
    }
    return std::nullopt;
  };

  // Skips the LayerNorm runs not started yet (lesson 08 is not done).
  auto skip_layer_norm = [&](const std::string& note) {
    for (RunResult& r : results) {
      if (r.spec.norm == "layer" && r.status == Status::kPending) {
        r.status = Status::kSkipped;
        r.note = note;
        ++finished;
      }
    }
  };

  std::vector<std::optional<nlohmann::json>> errors(results.size());
  while (finished < results.size() && fatal.empty() && !g_stop) {
    // Start runs while there are free slots.
    int running = 0;
    for (const RunResult& r : results) running += r.status == Status::kRunning;
    for (std::size_t i = 0; i < results.size() && running < o.threads; ++i) {
      if (results[i].status != Status::kPending) continue;
      try {
        process[i] = std::make_unique<capstone::TrainerProcess>(program, results[i].spec.trainer_args(), data, level);
      } catch (const std::exception& e) {
        fatal = e.what();
        break;
      }
      results[i].status = Status::kRunning;
      results[i].epoch = 1;
      ++running;
    }
    std::vector<capstone::TrainerProcess*> active;
    for (std::size_t i = 0; i < results.size(); ++i) {
      if (results[i].status == Status::kRunning) active.push_back(process[i].get());
    }
    capstone::TrainerProcess::pump(active, 100);
    for (std::size_t i = 0; i < results.size(); ++i) {
      RunResult& r = results[i];
      if (r.status != Status::kRunning) continue;
      for (const auto& rec : process[i]->take_records()) {
        if (auto e = handle(i, rec)) errors[i] = e;
      }
      if (!process[i]->finished()) continue;
      ++finished;
      const auto& error = errors[i];
      if (!error && process[i]->exited_normally() && process[i]->exit_code() == 0) {
        r.status = Status::kDone;
        if (!side_by_side) progress.print(run_line(r));
        continue;
      }
      r.status = Status::kFailed;
      const std::string kind = error ? error->value("kind", "") : "";
      const std::string message = error ? printable(error->value("message", "")) : "";
      std::string lesson;
      std::string what;
      if (kind == "todo") {
        what = not_finished(message, &lesson);
      } else if (kind == "exception") {
        what = "your code threw " + printable(error->value("type", "an exception")) + " in " +
               printable(error->value("during", "training")) + ": " + message;
      } else if (kind == "eigen_check") {
        what = eigen_message(error->value("record", ""), program);
      } else if (kind == "data" || kind == "usage") {
        what = "the trainer refused its input (a kit bug): " + message;
      } else if (process[i]->signal() != 0) {
        what = "the trainer crashed: " + runner::signal_name(process[i]->signal()) +
               (process[i]->signal() == SIGSEGV ? " (in your code: an index out of range, or a stack overflow?)" : "");
      } else {
        what = "the trainer ended without a result (exit code " + std::to_string(process[i]->exit_code()) + ")";
      }
      if (r.spec.norm == "layer" && plan.name == "batch") {
        // LayerNorm is an extra of this experiment: without a working lesson 08 it is skipped.
        r.status = Status::kSkipped;
        r.note = kind == "todo" && lesson == "08" ? "lesson 08 not done, skipped"
                                                  : "lesson 08's code failed, skipped (" + what + ")";
        progress.print("  LayerNorm: " + r.note + "\n");
        skip_layer_norm(r.note);
        continue;
      }
      std::string output = printable(process[i]->output());
      if (output.size() > 2000) output = output.substr(0, 2000) + "\n  ...";
      fatal = "run '" + r.spec.label + "': " + what;
      if (kind == "todo" && !o.reference) fatal = what + ".\n  Finish it (./bnkit grade " + (lesson.empty() ? "12" : lesson) +
                                                 "), or watch the reference train: ./bnkit capstone --reference";
      if (!output.empty()) fatal += "\n  what it printed:\n" + output;
    }
    // The progress line.
    if (progress.tty() && fatal.empty()) {
      std::string text;
      for (const RunResult& r : results) {
        if (r.status != Status::kRunning) continue;
        const int epochs = r.spec.epochs;
        text += (text.empty() ? "  " : "   ") + r.spec.label + " epoch " + std::to_string(std::min(r.epoch, epochs)) + "/" +
                std::to_string(epochs) + " " + progress.bar(r.step, r.steps);
      }
      if (results.size() > 2) text = "  [" + std::to_string(finished) + "/" + std::to_string(results.size()) + "]" + text;
      text += "  " + seconds_text(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
      progress.show(text);
    }
  }
  progress.clear();
  const bool stopped = g_stop != 0;
  for (std::size_t i = 0; i < results.size(); ++i) {
    if (results[i].status == Status::kRunning) {
      process[i]->kill();
      results[i].status = Status::kStopped;
    } else if (results[i].status == Status::kPending) {
      results[i].status = Status::kStopped;
    }
  }
  process.clear();
  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGTERM, &old_term, nullptr);

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

  const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
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
