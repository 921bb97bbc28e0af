#include "capstone_runs.hpp"

#include "eigen_failure_report.hpp"
#include "paths.hpp"
#include "process.hpp"
#include "trainer_process.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <filesystem>
#include <iostream>
#include <optional>
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

volatile std::sig_atomic_t g_stop = 0;
extern "C" void on_stop_signal(int) { g_stop = 1; }

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

/// Applies one record of a trainer to its run (and the CSV, and the side-by-side table);
/// returns the record when it is an error.
class RecordDecoder {
 public:
  RecordDecoder(std::vector<RunResult>& results, capstone::CsvLog& csv, Progress& progress, bool side_by_side)
      : results_(results), csv_(csv), progress_(progress), side_by_side_(side_by_side) {}

  std::optional<nlohmann::json> apply(std::size_t i, const nlohmann::json& rec) {
    RunResult& r = results_[i];
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
      csv_.epoch(r.spec, e);
      if (side_by_side_) print_table_rows();
    } else if (event == "train_mode_eval") {
      capstone::TrainModeResult t;
      t.batch_size = static_cast<long>(num("batch_size"));
      t.accuracy = num("accuracy");
      t.accuracy_bn_only = num("accuracy_bn_only");
      t.error = printable(rec.value("error", ""));
      r.train_mode.push_back(t);
      csv_.train_mode(r.spec, r.epochs.empty() ? 0 : r.epochs.back().epoch, t);
    } else if (event == "error") {
      return rec;
    }
    return std::nullopt;
  }

 private:
  /// The rows both runs have finished (a diverged run stops early: the other's go on alone).
  void print_table_rows() {
    const std::size_t n = std::min(results_[0].epochs.size(), results_[1].epochs.size());
    while (rows_ < n) {
      std::string text = rows_ == 0 ? table_.header() : "";
      text += table_.row(static_cast<int>(rows_) + 1, results_[0].epochs[rows_], results_[1].epochs[rows_]);
      progress_.print(text);
      ++rows_;
    }
  }

  std::vector<RunResult>& results_;
  capstone::CsvLog& csv_;
  Progress& progress_;
  EpochTable table_;
  bool side_by_side_;
  std::size_t rows_ = 0;
};

/// Why a run failed, in the student's words: an unfinished lesson, an exception, a failed
/// Eigen check (with the student's line), a crash. Sets `lesson` for an unfinished one.
std::string failure_text(const std::optional<nlohmann::json>& error, const capstone::TrainerProcess& process,
                         const std::string& program, std::string& lesson) {
  const std::string kind = error ? error->value("kind", "") : "";
  const std::string message = error ? printable(error->value("message", "")) : "";
  if (kind == "todo") return not_finished(message, &lesson);
  if (kind == "exception") {
    return "your code threw " + printable(error->value("type", "an exception")) + " in " +
           printable(error->value("during", "training")) + ": " + message;
  }
  if (kind == "eigen_check") return eigen_message(error->value("record", ""), program);
  if (kind == "data" || kind == "usage") return "the trainer refused its input (a kit bug): " + message;
  if (process.signal() != 0) {
    return "the trainer crashed: " + bnkit::process::describe_signal(process.signal()) +
           (process.signal() == SIGSEGV ? " (in your code: an index out of range, or a stack overflow?)" : "");
  }
  return "the trainer ended without a result (exit code " + std::to_string(process.exit_code()) + ")";
}

}  // namespace

std::string seconds_text(double s) {
  if (s < 60) return fmt::format("{:.1f} s", s);
  return fmt::format("{} min {:02d} s", static_cast<int>(s) / 60, static_cast<int>(s) % 60);
}

RunOutcome run_plan(const Plan& plan, const RunSettings& settings, capstone::CsvLog& csv, const Style& style) {
  const std::string& program = settings.program;
  struct sigaction stop {};
  stop.sa_handler = on_stop_signal;  // no SA_RESTART: poll returns at once
  sigemptyset(&stop.sa_mask);
  struct sigaction old_int {}, old_term {};
  sigaction(SIGINT, &stop, &old_int);
  sigaction(SIGTERM, &stop, &old_term);
  signal(SIGPIPE, SIG_IGN);

  RunOutcome outcome;
  std::vector<RunResult>& results = outcome.results;
  for (const RunSpec& spec : plan.runs) results.push_back(RunResult{spec, Status::kPending, 0, 0, 0, {}, {}, ""});
  std::vector<std::unique_ptr<capstone::TrainerProcess>> process(results.size());
  Progress progress(style);
  const bool side_by_side = plan.name == "capstone" && results.size() == 2;
  RecordDecoder decoder(results, csv, progress, side_by_side);
  std::string& fatal = outcome.fatal;
  const auto started = std::chrono::steady_clock::now();
  std::size_t finished = 0;

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
    for (std::size_t i = 0; i < results.size() && running < settings.threads; ++i) {
      if (results[i].status != Status::kPending) continue;
      try {
        process[i] = std::make_unique<capstone::TrainerProcess>(program, results[i].spec.trainer_args(), settings.data,
                                                                settings.level);
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
        if (auto e = decoder.apply(i, rec)) errors[i] = e;
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
      std::string lesson;
      const std::string what = failure_text(error, *process[i], program, lesson);
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
      if (kind == "todo" && !settings.reference) {
        fatal = what + ".\n  Finish it (./bnkit grade " + (lesson.empty() ? "12" : lesson) +
                "), or watch the reference train: ./bnkit capstone --reference";
      }
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
  outcome.stopped = g_stop != 0;
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
  outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return outcome;
}

}  // namespace bnkit::cli
