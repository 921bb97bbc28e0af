// bnkit-capstone-student / bnkit-capstone-reference: ONE training run of the capstone's MLP
// (one model, one recipe), linked with the student's lessons 01/04/06/08/12 or with the
// solutions. `./bnkit capstone` (harness/trusted/cli/capstone_command.cpp) starts one per run, in
// the sandbox, and reads what it reports. It writes no file: everything it has to say is a
// JSON line on its report descriptor (--json-fd, default stdout):
//
//   {"event":"start","train":N,"test":M,"steps":S,"epochs":E,"seccomp":""}
//   {"event":"progress","epoch":e,"step":k,"steps":S}            (at most every 0.1 s)
//   {"event":"epoch","epoch":e,"train_loss":L,"test_accuracy":A,"seconds":T,"eval_seconds":U,
//    "diverged":false,"gamma_abs_mean":G}                          (L null: NaN, a result)
//   {"event":"train_mode_eval","batch_size":b,"accuracy":A,"accuracy_bn_only":A2}
//   {"event":"train_mode_eval","batch_size":1,"error":"..."}      (BatchNorm refused it)
//   {"event":"error","kind":"todo"|"exception"|"eigen_check"|"data"|"usage","message":...}
//   {"event":"done"}
//
// Shapes: N = training samples, B = batch, D = 28*28 pixels.
#include "capstone.hpp"
#include "bnkit/todo.hpp"
#include "data_pipe.hpp"
#include "idx.hpp"
#include "worker_seccomp.hpp"

#include <nlohmann/json.hpp>

#include <cxxabi.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <sstream>
#include <typeinfo>

namespace {

using Index = Eigen::Index;
using json = nlohmann::json;

}  // namespace

/// Where the JSON lines go (--json-fd); trainer_eigen.cpp writes there too.
FILE* g_report = stdout;

namespace {

void report(const json& record) {
  const std::string line = record.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
  std::fwrite(line.data(), 1, line.size(), g_report);
  std::fflush(g_report);
}

[[noreturn]] void die(const std::string& kind, const std::string& message, int code = 1) {
  report({{"event", "error"}, {"kind", kind}, {"message", message}});
  std::exit(code);
}

struct Options {
  std::string data_dir;
  bool data_stdin = false;
  long train_limit = 0, test_limit = 0;
  bnkit::MlpConfig config;
  double init_scale = 1.0;
  bnkit::SgdOptions sgd;
  Index batch_size = 32, eval_batch_size = 500;
  int epochs = 1;
  std::uint64_t seed = 0;
  std::vector<Index> train_mode_eval;
  double progress_interval_s = 0.1;
};

double number(const std::string& flag, const std::string& text) {
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !std::isfinite(v)) die("usage", flag + " needs a number, got '" + text + "'", 2);
  return v;
}

long long whole(const std::string& flag, const std::string& text, long long low) {
  char* end = nullptr;
  const long long v = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || v < low) {
    die("usage", flag + " needs a whole number of at least " + std::to_string(low) + ", got '" + text + "'", 2);
  }
  return v;
}

Options parse(int argc, char** argv) {
  Options o;
  o.config.norm = bnkit::Norm::batch;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) die("usage", a + " needs a value", 2);
      return argv[++i];
    };
    if (a == "--data") o.data_dir = value();
    else if (a == "--data-stdin") o.data_stdin = true;
    else if (a == "--train-limit") o.train_limit = static_cast<long>(whole(a, value(), 0));
    else if (a == "--test-limit") o.test_limit = static_cast<long>(whole(a, value(), 0));
    else if (a == "--norm") {
      const std::string v = value();
      if (v == "none") o.config.norm = bnkit::Norm::none;
      else if (v == "batch") o.config.norm = bnkit::Norm::batch;
      else if (v == "layer") o.config.norm = bnkit::Norm::layer;
      else die("usage", "--norm needs none, batch or layer, got '" + v + "'", 2);
    } else if (a == "--placement") {
      const std::string v = value();
      if (v == "before") o.config.placement = bnkit::Placement::before_relu;
      else if (v == "after") o.config.placement = bnkit::Placement::after_relu;
      else die("usage", "--placement needs before or after, got '" + v + "'", 2);
    } else if (a == "--dropout") {
      o.config.dropout = number(a, value());
      if (o.config.dropout < 0 || o.config.dropout >= 1) die("usage", "--dropout needs a probability in [0, 1)", 2);
    } else if (a == "--init-scale") o.init_scale = number(a, value());
    else if (a == "--lr") o.sgd.lr = number(a, value());
    else if (a == "--momentum") o.sgd.momentum = number(a, value());
    else if (a == "--weight-decay") o.sgd.weight_decay = number(a, value());
    else if (a == "--decay-all") o.sgd.decay_all = true;
    else if (a == "--batch-size") o.batch_size = whole(a, value(), 1);
    else if (a == "--eval-batch-size") o.eval_batch_size = whole(a, value(), 1);
    else if (a == "--epochs") o.epochs = static_cast<int>(whole(a, value(), 1));
    else if (a == "--seed") o.seed = static_cast<std::uint64_t>(whole(a, value(), 0));
    else if (a == "--progress-interval") o.progress_interval_s = number(a, value());
    else if (a == "--json-fd") {
      const int fd = static_cast<int>(whole(a, value(), 1));
      g_report = fdopen(fd, "w");
      if (!g_report) {
        g_report = stdout;
        die("usage", "--json-fd " + std::to_string(fd) + " is not an open descriptor", 2);
      }
    } else if (a == "--train-mode-eval") {
      std::stringstream list(value());
      for (std::string item; std::getline(list, item, ',');) o.train_mode_eval.push_back(whole(a, item, 1));
    } else {
      die("usage",
          "unknown flag '" + a +
              "'. Valid flags: --data DIR | --data-stdin, --train-limit N, --test-limit N, --norm none|batch|layer, "
              "--placement before|after, --dropout P, --init-scale S, --lr X, --momentum M, --weight-decay W, "
              "--decay-all, --batch-size B, --eval-batch-size B, --epochs E, --seed S, --train-mode-eval 1,2,..., "
              "--json-fd FD",
          2);
    }
  }
  if (o.data_dir.empty() == !o.data_stdin) die("usage", "give exactly one of --data DIR and --data-stdin", 2);
  return o;
}

/// The class of the exception in flight, as the program's source names it.
std::string thrown_type() {
  const std::type_info* type = abi::__cxa_current_exception_type();
  if (!type) return "an exception";
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> name(abi::__cxa_demangle(type->name(), nullptr, nullptr, &status), std::free);
  return status == 0 && name ? name.get() : type->name();
}

/// Reports the exception in flight (a student's exception is a result of the run, not a
/// crash) and ends the run.
[[noreturn]] void report_exception_and_exit(const char* during) {
  try {
    throw;
  } catch (const bnkit::NotImplemented& e) {
    die("todo", e.what());
  } catch (const std::exception& e) {
    report({{"event", "error"}, {"kind", "exception"}, {"type", thrown_type()}, {"during", during},
            {"message", e.what()}});
  } catch (...) {
    report({{"event", "error"}, {"kind", "exception"}, {"type", thrown_type()}, {"during", during},
            {"message", "(not a std::exception)"}});
  }
  std::exit(1);
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

/// The mean |gamma| over both blocks' BatchNorms (the `decay` experiment's mechanism), or
/// nothing without BatchNorm.
std::optional<double> gamma_abs_mean(const bnkit::Mlp& model) {
  if (model.config.norm != bnkit::Norm::batch) return std::nullopt;
  const auto& g1 = model.block1.batch_norm.gamma;
  const auto& g2 = model.block2.batch_norm.gamma;
  if (g1.size() + g2.size() == 0) return std::nullopt;
  return (g1.cwiseAbs().sum() + g2.cwiseAbs().sum()) / static_cast<double>(g1.size() + g2.size());
}

/// Test accuracy with the model in train mode (what forgetting eval() does), batches of `b`
/// in order; a last batch of one sample is left out when b > 1 (as shuffled_batches does).
/// `bn_only`: Dropout switched back off, so only BatchNorm's batch statistics differ.
double train_mode_accuracy(bnkit::Mlp& model, const bnkit::Dataset& test, Index b, bool bn_only) {
  bnkit::set_training(model, true);
  if (bn_only) model.block1.dropout.training = model.block2.dropout.training = false;
  Index correct = 0, seen = 0;
  std::vector<int> labels;
  for (const auto& indices : bnkit::ordered_batches(test.size(), b)) {
    if (indices.size() == 1 && b > 1) continue;
    const std::vector<int> predicted = bnkit::predictions(bnkit::mlp_forward(model, test.batch(indices, labels)));
    for (std::size_t i = 0; i < predicted.size() && i < labels.size(); ++i) correct += predicted[i] == labels[i];
    seen += static_cast<Index>(indices.size());
  }
  return seen ? static_cast<double>(correct) / static_cast<double>(seen) : 0.0;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);

  bnkit::Dataset train, test;
  try {
    bnkit::capstone::IdxSplit train_bytes, test_bytes;
    if (o.data_stdin) {
      bnkit::capstone::read_data_pipe(STDIN_FILENO, train_bytes, test_bytes);
    } else {
      train_bytes = bnkit::capstone::load_split_bytes(o.data_dir, "train", o.train_limit);
      test_bytes = bnkit::capstone::load_split_bytes(o.data_dir, "t10k", o.test_limit);
    }
    if (o.train_limit > 0 && train_bytes.size() > o.train_limit) {
      train_bytes.images.resize(static_cast<std::size_t>(o.train_limit) * train_bytes.rows * train_bytes.cols);
      train_bytes.labels.resize(static_cast<std::size_t>(o.train_limit));
    }
    if (o.test_limit > 0 && test_bytes.size() > o.test_limit) {
      test_bytes.images.resize(static_cast<std::size_t>(o.test_limit) * test_bytes.rows * test_bytes.cols);
      test_bytes.labels.resize(static_cast<std::size_t>(o.test_limit));
    }
    train = bnkit::capstone::to_dataset(train_bytes);
    test = bnkit::capstone::to_dataset(test_bytes);
  } catch (const bnkit::capstone::DataError& e) {
    die("data", e.what());
  }
  if (train.size() < 2) die("data", "the training set needs at least 2 samples, it has " + std::to_string(train.size()));

  // Everything from here on may run the student's code: no new processes, no writing files.
  // (Their files' static initialisers ran before main; the process sandbox covers those.)
  const std::string seccomp = bnkit::sandbox::restrict_worker();

  bnkit::MlpConfig config = o.config;
  config.inputs = train.images.cols();
  bnkit::Mlp model;
  try {
    model = bnkit::make_mlp(config, o.seed, o.init_scale);
  } catch (...) {
    report_exception_and_exit("make_mlp");
  }
  bnkit::Sgd sgd(o.sgd);
  const Index steps = static_cast<Index>(bnkit::shuffled_batches(train.size(), o.batch_size, 0).size());
  report({{"event", "start"}, {"train", train.size()}, {"test", test.size()}, {"steps", steps},
          {"epochs", o.epochs}, {"seccomp", seccomp}});

  int epoch = 0;
  Index step = 0;
  auto last_progress = std::chrono::steady_clock::now();
  sgd.on_step = [&] {
    ++step;
    if (seconds_since(last_progress) >= o.progress_interval_s) {
      last_progress = std::chrono::steady_clock::now();
      report({{"event", "progress"}, {"epoch", epoch}, {"step", step}, {"steps", steps}});
    }
  };

  for (epoch = 1; epoch <= o.epochs; ++epoch) {
    step = 0;
    // Every epoch its own shuffle, the same for every model trained with this seed.
    const std::uint64_t shuffle_seed = bnkit::mix64(o.seed * 1000003u + static_cast<std::uint64_t>(epoch));
    const auto t0 = std::chrono::steady_clock::now();
    double loss = 0.0, accuracy = 0.0;
    try {
      loss = bnkit::train_epoch(model, sgd, train, o.batch_size, shuffle_seed);
    } catch (...) {
      report_exception_and_exit("train_epoch");
    }
    const double seconds = seconds_since(t0);
    const auto t1 = std::chrono::steady_clock::now();
    try {
      accuracy = bnkit::evaluate(model, test, o.eval_batch_size);
    } catch (...) {
      report_exception_and_exit("evaluate");
    }
    const bool diverged = !std::isfinite(loss);
    json record = {{"event", "epoch"}, {"epoch", epoch}, {"train_loss", diverged ? json(nullptr) : json(loss)},
                   {"test_accuracy", accuracy}, {"seconds", seconds}, {"eval_seconds", seconds_since(t1)},
                   {"diverged", diverged}};
    if (const auto g = gamma_abs_mean(model)) record["gamma_abs_mean"] = std::isfinite(*g) ? json(*g) : json(nullptr);
    report(record);
    if (diverged) break;  // NaN stays NaN: the later epochs would say nothing new
  }

  // Forgetting eval(): the same trained model, evaluated in train mode.
  for (const Index b : o.train_mode_eval) {
    const bnkit::Mlp trained = model;  // each batch size from the same trained model
    try {
      const double with_dropout = train_mode_accuracy(model, test, b, false);
      model = trained;
      const double bn_only = train_mode_accuracy(model, test, b, true);
      report({{"event", "train_mode_eval"}, {"batch_size", b}, {"accuracy", with_dropout}, {"accuracy_bn_only", bn_only}});
    } catch (const bnkit::NotImplemented&) {
      report_exception_and_exit("train-mode evaluation");
    } catch (const std::exception& e) {
      report({{"event", "train_mode_eval"}, {"batch_size", b}, {"error", e.what()}, {"type", thrown_type()}});
    }
    model = trained;
  }
  report({{"event", "done"}});
  return 0;
}
