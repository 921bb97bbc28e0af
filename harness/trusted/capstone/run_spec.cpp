#include "run_spec.hpp"

#include <cstdio>
#include <cstdlib>

namespace bnkit::capstone {

std::string short_number(double v) {
  if (std::isnan(v)) return "nan";
  char buf[64];
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
    return buf;
  }
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

std::vector<std::string> RunSpec::trainer_args() const {
  std::vector<std::string> a = {"--data-stdin", "--norm", norm, "--placement", placement,
                                "--dropout", short_number(dropout), "--init-scale", short_number(init_scale),
                                "--lr", short_number(lr), "--momentum", short_number(momentum),
                                "--weight-decay", short_number(weight_decay), "--batch-size", std::to_string(batch_size),
                                "--epochs", std::to_string(epochs), "--seed", std::to_string(seed)};
  if (decay_all) a.emplace_back("--decay-all");
  if (train_limit > 0) a.insert(a.end(), {"--train-limit", std::to_string(train_limit)});
  if (test_limit > 0) a.insert(a.end(), {"--test-limit", std::to_string(test_limit)});
  if (!train_mode_eval.empty()) {
    std::string list;
    for (const long b : train_mode_eval) list += (list.empty() ? "" : ",") + std::to_string(b);
    a.insert(a.end(), {"--train-mode-eval", list});
  }
  return a;
}

}  // namespace bnkit::capstone
