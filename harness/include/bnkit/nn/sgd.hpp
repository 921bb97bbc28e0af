// torch.optim.SGD with momentum and weight decay, in two parameter groups.
#pragma once

#include <Eigen/Core>

#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace bnkit {

/// One tensor the optimizer updates: its values and its gradient, seen as flat vectors, and
/// the group it belongs to.
struct Parameter {
  std::string name;       ///< "block1.linear.weight", for messages
  double* value;          ///< size values, updated in place
  const double* grad;     ///< size values of dLoss/dvalue from the last backward
  Eigen::Index size;
  bool decay;             ///< in the weight-decay group
};

struct SgdOptions {
  double lr = 0.1;             ///< learning rate
  double momentum = 0.0;       ///< 0: plain SGD
  double weight_decay = 1e-4;  ///< L2 coefficient, applied to the decay group only
  /// Decay every parameter, the no-decay group too: what passing model.parameters() to
  /// torch.optim.SGD does. Off by default (capstone experiment `decay` turns it on).
  bool decay_all = false;
};

/// PyTorch's update, per parameter p with gradient g (dampening 0, no Nesterov):
///     g = g + weight_decay * p            (decay group only)
///     v = g on the first step, else v = momentum * v + g
///     p = p - lr * v                      (v = g when momentum is 0)
struct Sgd {
  SgdOptions options;
  std::vector<Eigen::VectorXd> velocity;  ///< momentum buffers, in parameters' order; empty before the first step
  /// Called after every step: how `./bnkit capstone` draws its progress bar during an
  /// epoch. Not optimizer state (it never crosses the grading boundary); empty by default.
  std::function<void()> on_step;

  Sgd() = default;
  explicit Sgd(SgdOptions o) : options(o) {}

  void step(const std::vector<Parameter>& parameters) {
    const bool first = velocity.empty();
    if (options.momentum != 0.0 && first) velocity.resize(parameters.size());
    if (options.momentum != 0.0 && velocity.size() != parameters.size()) {
      throw std::invalid_argument("Sgd::step: " + std::to_string(parameters.size()) + " parameters, but " +
                                  std::to_string(velocity.size()) + " momentum buffers from earlier steps");
    }
    for (std::size_t i = 0; i < parameters.size(); ++i) {
      const Parameter& p = parameters[i];
      Eigen::Map<Eigen::VectorXd> value(p.value, p.size);
      Eigen::Map<const Eigen::VectorXd> grad(p.grad, p.size);
      const double decay = (p.decay || options.decay_all) ? options.weight_decay : 0.0;
      if (options.momentum == 0.0) {
        value -= options.lr * (grad + decay * value);  // one pass, no temporary
        continue;
      }
      Eigen::VectorXd& v = velocity[i];
      if (first) {
        v = grad + decay * value;
      } else {
        if (v.size() != p.size) throw std::invalid_argument("Sgd::step: the momentum buffer of " + p.name + " has the wrong size");
        v = options.momentum * v + grad + decay * value;
      }
      value -= options.lr * v;
    }
    if (on_step) on_step();
  }
};

}  // namespace bnkit
