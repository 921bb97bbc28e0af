// One training run of `./bnkit capstone`: the model and recipe a trainer gets (its flags),
// and what it reported back.
#pragma once

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace bnkit::capstone {

struct RunSpec {
  std::string model = "BatchNorm";  ///< "BatchNorm", "plain" or "LayerNorm": what the CSV's `model` says
  std::string label;                ///< unique within an experiment: "BatchNorm lr=0.5"
  std::string norm = "batch";       ///< the trainer's --norm: none, batch, layer
  std::string placement = "before"; ///< before or after the ReLU
  double dropout = 0.3, init_scale = 1.0, lr = 0.1, momentum = 0.0, weight_decay = 1e-4;
  bool decay_all = false;
  long batch_size = 32;
  int epochs = 5;
  std::uint64_t seed = 0;
  long train_limit = 0, test_limit = 0;  ///< 0: all
  std::vector<long> train_mode_eval;     ///< batch sizes to evaluate in train mode after training

  /// The trainer's flags for this run (the data comes on its stdin).
  std::vector<std::string> trainer_args() const;
};

struct EpochResult {
  int epoch = 0;
  double train_loss = NAN;  ///< NaN: diverged
  double test_accuracy = NAN;
  double seconds = 0.0;     ///< training only
  bool diverged = false;
  std::optional<double> gamma_abs_mean;
};

struct TrainModeResult {
  long batch_size = 0;
  double accuracy = NAN;          ///< train mode: BatchNorm's batch statistics and Dropout on
  double accuracy_bn_only = NAN;  ///< train mode with Dropout switched back off
  std::string error;              ///< what the model threw (a batch of one), or ""
};

struct RunResult {
  enum class Status { kPending, kRunning, kDone, kFailed, kSkipped, kStopped };
  RunSpec spec;
  Status status = Status::kPending;
  long steps = 0;      ///< per epoch, from the trainer's start record
  int epoch = 0;       ///< in progress
  long step = 0;
  std::vector<EpochResult> epochs;
  std::vector<TrainModeResult> train_mode;
  std::string note;    ///< why it failed or was skipped

  bool diverged() const { return !epochs.empty() && epochs.back().diverged; }
  const EpochResult* last() const { return epochs.empty() ? nullptr : &epochs.back(); }
};

/// "0.1", "3e-05", "128": the shortest text that reads back as v (for labels and the CSV).
std::string short_number(double v);

}  // namespace bnkit::capstone
