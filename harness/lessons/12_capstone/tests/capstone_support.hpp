// What lesson 12's visible and hidden tests share: small models in a chosen state, seeded
// inputs, whole-model comparisons with messages that name the field, and the gradient
// check of the whole MLP.
#pragma once

#include "capstone.hpp"
#include "compare_scalar.hpp"
#include "gradient_check.hpp"
#include "lesson_test.hpp"
#include "oracle.hpp"

#include "bnkit/todo.hpp"

#include <Eigen/Core>

#include <cmath>
#include <cstdio>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace bnkit::capstone_tests {

using grader::Origin;
using grader::Tolerance;

inline Origin oracle_origin(const std::string& case_name, std::optional<std::uint64_t> seed) {
  return {"the trusted oracle (harness/lessons/12_capstone/tests/oracle.hpp: the MLP from its formulas)", case_name, seed};
}

inline const char* norm_name(Norm n) {
  return n == Norm::none ? "none" : n == Norm::batch ? "batch" : "layer";
}
inline const char* placement_name(Placement p) {
  return p == Placement::before_relu ? "before_relu" : "after_relu";
}

/// "norm=batch placement=after_relu dropout=0.3 sizes 6-5-4-3": for traces and case names.
inline std::string describe(const MlpConfig& c) {
  char dropout[32];
  std::snprintf(dropout, sizeof dropout, "%g", c.dropout);
  return std::string("norm=") + norm_name(c.norm) + " placement=" + placement_name(c.placement) +
         " dropout=" + dropout + " sizes " + std::to_string(c.inputs) + "-" + std::to_string(c.hidden1) + "-" +
         std::to_string(c.hidden2) + "-" + std::to_string(c.classes);
}

/// The small model the exact tests use: 6 inputs, hidden 5 and 4, 3 classes.
inline MlpConfig small_config(Norm norm, Placement placement, double dropout) {
  MlpConfig c;
  c.inputs = 6;
  c.hidden1 = 5;
  c.hidden2 = 4;
  c.classes = 3;
  c.norm = norm;
  c.placement = placement;
  c.dropout = dropout;
  return c;
}

/// Every switch: norm none/batch/layer x placement before/after x dropout 0 and 0.3.
inline std::vector<MlpConfig> every_switch() {
  std::vector<MlpConfig> out;
  for (Norm n : {Norm::none, Norm::batch, Norm::layer})
    for (Placement p : {Placement::before_relu, Placement::after_relu})
      for (double d : {0.0, 0.3}) out.push_back(small_config(n, p, d));
  return out;
}

/// (rows x cols) row-major values offset_j + scale_j * N(0,1): each column its own offset
/// in +-[offset_lo, offset_hi] and spread in [0.5, 2].
inline Matrix random_inputs(Eigen::Index rows, Eigen::Index cols, std::uint64_t seed, double offset_lo = 0.1,
                            double offset_hi = 1.0, bool positive_offsets = false) {
  std::mt19937_64 gen(seed);
  std::normal_distribution<double> normal;
  std::uniform_real_distribution<double> unit;
  Matrix x(rows, cols);
  for (Eigen::Index j = 0; j < cols; ++j) {
    const double sign = positive_offsets || unit(gen) < 0.5 ? 1.0 : -1.0;
    const double offset = sign * std::exp(std::log(offset_lo) + unit(gen) * (std::log(offset_hi) - std::log(offset_lo)));
    const double scale = 0.5 + 1.5 * unit(gen);
    for (Eigen::Index i = 0; i < rows; ++i) x(i, j) = offset + scale * normal(gen);
  }
  return x;
}

/// A model in the middle of training, every value set by the test: make_mlp's weights,
/// then gamma, beta (or LayerNorm's weight and bias) and the running statistics drawn from
/// `seed` (so none is 1 or 0), num_batches_tracked 7, Dropout already called 3 times.
inline Mlp mid_training(const MlpConfig& config, std::uint64_t seed, bool training) {
  Mlp m = make_mlp(config, seed);
  std::mt19937_64 gen(seed ^ 0xc0ffee);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  auto vec = [&](Eigen::Index n, double lo, double hi) {
    Eigen::VectorXd v(n);
    for (Eigen::Index i = 0; i < n; ++i) v[i] = lo + (hi - lo) * u(gen);
    return v;
  };
  for (HiddenBlock* b : {&m.block1, &m.block2}) {
    const Eigen::Index d = b->linear.out_features();
    if (config.norm == Norm::batch) {
      b->batch_norm.gamma = vec(d, 0.5, 2.0);
      b->batch_norm.beta = vec(d, -0.5, 0.5);
      b->batch_norm.running_mean = vec(d, -0.5, 0.5);
      b->batch_norm.running_var = vec(d, 0.3, 3.0);
      b->batch_norm.num_batches_tracked = 7;
    } else if (config.norm == Norm::layer) {
      b->ln_weight = Tensor({d}, vec(d, 0.5, 2.0));
      b->ln_bias = Tensor({d}, vec(d, -0.5, 0.5));
    }
    b->dropout.calls = 3;
  }
  oracle::set_training(m, training);
  return m;
}

/// The training tests' recipe: plain SGD at `lr`, no momentum, weight decay 1e-4 on the
/// weights (the notes' recipe, written out rather than left to SgdOptions' defaults).
inline Sgd recipe_sgd(double lr) {
  SgdOptions options;
  options.lr = lr;
  options.momentum = 0.0;
  options.weight_decay = 1e-4;
  return Sgd(options);
}

inline Tensor as_tensor(const Matrix& m) { return bnkit::to_tensor(m); }
inline Tensor as_tensor(const Eigen::VectorXd& v) { return Tensor({v.size()}, v); }

/// What of the model a comparison looks at.
enum Fields : unsigned {
  kModes = 1u << 0,        ///< model.training, each BatchNorm's and Dropout's training
  kParameters = 1u << 1,   ///< Linear weights and biases, gamma/beta, LayerNorm weight/bias
  kBuffers = 1u << 2,      ///< running_mean, running_var, num_batches_tracked
  kDropout = 1u << 3,      ///< each Dropout's p, seed and calls
  kSaved = 1u << 4,        ///< norm_input, batch_mean, batch_rstd (what the norm's backward needs)
  kGradients = 1u << 5,    ///< every parameter's gradient
  kLayerCaches = 1u << 6,  ///< the kit layers' own: Linear::input, Relu::input, Dropout::mask
  kConfig = 1u << 7,
  kState = kModes | kParameters | kBuffers | kDropout,
  kEverything = 0xffffffffu,
};

/// Compares the fields `which` of `got` with `want`; every mismatch is one failure naming
/// the field ("block1.batch_norm.running_var"). `when` says after which call.
inline void expect_models_match(const Mlp& got, const Mlp& want, unsigned which, Tolerance tol,
                                const Origin& origin, const std::string& when) {
  using grader::counts_match;
  using grader::tensors_match;
  const std::string after = " (after " + when + ")";
  auto ten = [&](const std::string& name, const Tensor& g, const Tensor& w) {
    // Two empty values are the same field whatever their shapes say (an unset Tensor has
    // rank 0 before it crosses the boundary and shape [0] after).
    if (g.numel() == 0 && w.numel() == 0) return;
    EXPECT_TRUE(tensors_match(name + after, g, w, tol, origin));
  };
  auto count = [&](const std::string& name, long g, long w) {
    EXPECT_TRUE(counts_match(name + after, g, w, origin));
  };
  if (which & kConfig) {
    count("config.inputs", got.config.inputs, want.config.inputs);
    count("config.hidden1", got.config.hidden1, want.config.hidden1);
    count("config.hidden2", got.config.hidden2, want.config.hidden2);
    count("config.classes", got.config.classes, want.config.classes);
    count("config.norm", static_cast<long>(got.config.norm), static_cast<long>(want.config.norm));
    count("config.placement", static_cast<long>(got.config.placement), static_cast<long>(want.config.placement));
    EXPECT_TRUE(grader::scalars_match("config.dropout" + after, got.config.dropout, want.config.dropout, grader::kUnchanged, origin));
    EXPECT_TRUE(grader::scalars_match("config.eps" + after, got.config.eps, want.config.eps, grader::kUnchanged, origin));
  }
  if (which & kModes) count("model.training", got.training, want.training);
  auto linear = [&](const std::string& name, const Linear& g, const Linear& w) {
    if (which & kParameters) {
      ten(name + ".weight", as_tensor(g.weight), as_tensor(w.weight));
      ten(name + ".bias", as_tensor(g.bias), as_tensor(w.bias));
    }
    if (which & kGradients) {
      ten(name + ".dweight", as_tensor(g.dweight), as_tensor(w.dweight));
      ten(name + ".dbias", as_tensor(g.dbias), as_tensor(w.dbias));
    }
    if (which & kLayerCaches) ten(name + ".input", as_tensor(g.input), as_tensor(w.input));
  };
  auto block = [&](const std::string& name, const HiddenBlock& g, const HiddenBlock& w) {
    linear(name + ".linear", g.linear, w.linear);
    const BatchNorm1d &gb = g.batch_norm, &wb = w.batch_norm;
    if (which & kModes) {
      count(name + ".batch_norm.training", gb.training, wb.training);
      count(name + ".dropout.training", g.dropout.training, w.dropout.training);
    }
    if (which & kParameters) {
      ten(name + ".batch_norm.gamma", as_tensor(gb.gamma), as_tensor(wb.gamma));
      ten(name + ".batch_norm.beta", as_tensor(gb.beta), as_tensor(wb.beta));
      ten(name + ".ln_weight", g.ln_weight, w.ln_weight);
      ten(name + ".ln_bias", g.ln_bias, w.ln_bias);
    }
    if (which & kBuffers) {
      ten(name + ".batch_norm.running_mean", as_tensor(gb.running_mean), as_tensor(wb.running_mean));
      ten(name + ".batch_norm.running_var", as_tensor(gb.running_var), as_tensor(wb.running_var));
      count(name + ".batch_norm.num_batches_tracked", gb.num_batches_tracked, wb.num_batches_tracked);
    }
    if (which & kDropout) {
      EXPECT_TRUE(grader::scalars_match(name + ".dropout.p" + after, g.dropout.p, w.dropout.p, grader::kUnchanged, origin));
      count(name + ".dropout.seed", static_cast<long>(g.dropout.seed), static_cast<long>(w.dropout.seed));
      count(name + ".dropout.calls (train-mode Dropout forwards so far)", static_cast<long>(g.dropout.calls),
            static_cast<long>(w.dropout.calls));
    }
    if (which & kSaved) {
      ten(name + ".norm_input", as_tensor(g.norm_input), as_tensor(w.norm_input));
      ten(name + ".batch_mean", as_tensor(g.batch_mean), as_tensor(w.batch_mean));
      ten(name + ".batch_rstd", as_tensor(g.batch_rstd), as_tensor(w.batch_rstd));
    }
    if (which & kGradients) {
      ten(name + ".dgamma", as_tensor(g.dgamma), as_tensor(w.dgamma));
      ten(name + ".dbeta", as_tensor(g.dbeta), as_tensor(w.dbeta));
      ten(name + ".ln_dweight", g.ln_dweight, w.ln_dweight);
      ten(name + ".ln_dbias", g.ln_dbias, w.ln_dbias);
    }
    if (which & kLayerCaches) {
      ten(name + ".relu.input", as_tensor(g.relu.input), as_tensor(w.relu.input));
      ten(name + ".dropout.mask", as_tensor(g.dropout.mask), as_tensor(w.dropout.mask));
    }
  };
  block("block1", got.block1, want.block1);
  block("block2", got.block2, want.block2);
  linear("head", got.head, want.head);
}

/// Rethrows the stub's TODO and a failed call; turns any other exception on a valid input
/// into a failure that says which call threw. Returns false when `call` threw.
template <typename Call>
bool valid_call(const std::string& what, Call&& call) {
  try {
    call();
    return true;
  } catch (const NotImplemented&) {
    throw;
  } catch (const boundary::CallFailed&) {
    throw;
  } catch (const std::exception& e) {
    ADD_FAILURE() << what << " threw on a valid input: " << grader::thrown_description();
    return false;
  }
}

/// The pre-ReLU values of a train-mode forward of the oracle on (a copy of) `m`, and each
/// norm input's smallest column variance: a gradient check is only meaningful where no
/// ReLU input sits within h of its kink and no BatchNorm column is (nearly) constant.
inline bool well_conditioned(const Mlp& model, const Matrix& x, double margin = 1e-3) {
  Mlp m = model;
  oracle::forward(m, x);
  for (const HiddenBlock* b : {&m.block1, &m.block2}) {
    if (b->relu.input.cwiseAbs().minCoeff() < margin) return false;
    if (m.config.norm == Norm::batch) {
      const Matrix& z = b->norm_input;
      const Eigen::RowVectorXd mean = z.colwise().mean();
      const Eigen::RowVectorXd var = (z.rowwise() - mean).array().square().colwise().mean();
      if (var.minCoeff() < 1e-2) return false;
    }
  }
  return true;
}

/// One whole-MLP gradient check: for the loss L = sum(G * logits) of a train-mode forward
/// from the model's state `start` (the same state every time, so the Dropout masks and
/// the batch statistics' roles are fixed), the gradients mlp_backward leaves must equal
///   (1) central differences of the code under test's own forward (its backward is the
///       derivative of ITS forward), and
///   (2) the oracle's analytic gradients (so a forward and backward that are consistently
///       wrong fail too).
/// `which` picks the checks. Returns false when a call threw.
enum GradientChecks : unsigned { kCentral = 1, kAgainstOracle = 2 };

inline bool check_mlp_gradients(const Mlp& start, const Matrix& x, const Matrix& upstream, unsigned which,
                                const std::string& case_name, std::uint64_t seed) {
  // The analytic gradients of the code under test.
  Mlp analytic = start;
  if (!valid_call("mlp_forward() in train mode", [&] { mlp_forward(analytic, x); })) return false;
  if (!valid_call("mlp_backward()", [&] { mlp_backward(analytic, upstream); })) return false;
  const auto got = oracle::gradients(analytic);

  if (which & kAgainstOracle) {
    Mlp want_model = start;
    oracle::forward(want_model, x);
    oracle::backward(want_model, upstream);
    const auto want = oracle::gradients(want_model);
    const Origin origin = oracle_origin(case_name, seed);
    for (std::size_t i = 0; i < want.size(); ++i) {
      const Tensor g = i < got.size() ? as_tensor(got[i].second) : Tensor();
      EXPECT_TRUE(grader::tensors_match("d" + want[i].first, g, as_tensor(want[i].second), Tolerance::gradient(),
                                        origin));
    }
  }
  if (which & kCentral) {
    Mlp probe = start;
    const Eigen::VectorXd theta = oracle::flat_parameters(probe);
    const double h = 1e-5;
    bool threw = false;
    const Eigen::VectorXd numeric = grader::numerical_gradient(
        [&](const Eigen::VectorXd& point) {
          if (threw) return 0.0;
          Mlp m = start;
          oracle::set_flat_parameters(m, point);
          Matrix logits;
          if (!valid_call("mlp_forward() in train mode", [&] { logits = mlp_forward(m, x); })) {
            threw = true;
            return 0.0;
          }
          return grader::dot(as_tensor(upstream), as_tensor(logits));
        },
        theta, h);
    if (threw) return false;
    const Origin origin = grader::central_differences_origin(h, seed, "L = sum(G * logits) of your mlp_forward",
                                                             case_name);
    Eigen::Index at = 0;
    for (const oracle::ParameterView& p : oracle::parameter_views(probe)) {
      const Eigen::VectorXd estimate = numeric.segment(at, p.size);
      at += p.size;
      // Dependence: the loss moves with every parameter tensor, except the Linear bias right
      // before a BatchNorm, which the batch mean cancels exactly (its gradient is 0).
      const bool cancelled = start.config.norm == Norm::batch && start.config.placement == Placement::before_relu &&
                             p.name.size() > 12 && p.name.compare(p.name.size() - 12, 12, ".linear.bias") == 0;
      if (!cancelled && estimate.cwiseAbs().maxCoeff() <= 1e-10) {
        ADD_FAILURE() << "the loss sum(G * logits) of your mlp_forward does not change when " << p.name
                      << " moves: the forward ignores that parameter, so its gradient check has nothing to "
                         "compare";
      }
      std::size_t k = 0;
      while (k < got.size() && got[k].first != p.name) ++k;
      const Tensor g = k < got.size() ? as_tensor(got[k].second) : Tensor();
      EXPECT_TRUE(grader::tensors_match("d" + p.name, g, as_tensor(estimate), grader::gradient_check_tolerance(),
                                        origin));
    }
  }
  return true;
}

}  // namespace bnkit::capstone_tests
