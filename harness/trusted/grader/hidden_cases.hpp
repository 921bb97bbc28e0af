// What every lesson's hidden tests share: seeded random draws, one guarded case at a time,
// and "did the code end this call as the reference did?".
#pragma once

#include "case_loop.hpp"
#include "hidden.hpp"
#include "proxy.hpp"

#include "bnkit/todo.hpp"

#include <Eigen/Core>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <string>

namespace bnkit::grader {

/// Random draws of one hidden case, reproducible from its seed. Lessons derive from it to
/// add their own kinds of value (momenta, layers, ...).
struct Draw {
  std::mt19937_64 gen;
  explicit Draw(std::uint64_t seed) : gen(seed) {}
  Eigen::Index integer(Eigen::Index lo, Eigen::Index hi) {
    return std::uniform_int_distribution<Eigen::Index>(lo, hi)(gen);
  }
  double uniform(double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(gen); }
  double log_uniform(double lo, double hi) { return std::exp(uniform(std::log(lo), std::log(hi))); }
  double sign() { return std::bernoulli_distribution(0.5)(gen) ? 1.0 : -1.0; }
  bool chance(double p) { return std::bernoulli_distribution(p)(gen); }
  double normal() { return std::normal_distribution<double>(0.0, 1.0)(gen); }
  /// One of the eps values people use: PyTorch's default, a looser one, a large one.
  double eps() {
    const double choices[] = {1e-5, 1e-3, 0.1};
    return choices[integer(0, 2)];
  }
  /// (n x d), column j = offset_j + scale_j * N(0,1): every feature its own location and
  /// spread, so statistics taken along the wrong axis never fit.
  Eigen::MatrixXd batch(Eigen::Index n, Eigen::Index d, double offset_lo, double offset_hi, double scale_lo,
                        double scale_hi) {
    Eigen::MatrixXd x(n, d);
    for (Eigen::Index j = 0; j < d; ++j) {
      const double offset = sign() * log_uniform(offset_lo, offset_hi);
      const double scale = log_uniform(scale_lo, scale_hi);
      for (Eigen::Index i = 0; i < n; ++i) x(i, j) = offset + scale * normal();
    }
    return x;
  }
  /// gamma of both signs and magnitudes 0.01..10 (never 1); beta in [-5, 5].
  Eigen::VectorXd gamma(Eigen::Index d) {
    Eigen::VectorXd g(d);
    for (Eigen::Index j = 0; j < d; ++j) g[j] = sign() * log_uniform(1e-2, 10.0);
    return g;
  }
  Eigen::VectorXd beta(Eigen::Index d) {
    Eigen::VectorXd b(d);
    for (Eigen::Index j = 0; j < d; ++j) b[j] = uniform(-5.0, 5.0);
    return b;
  }
};

/// The seed of case k of the test with this salt: fresh for every run seed.
inline std::uint64_t case_seed(std::uint64_t salt, int k) {
  return hidden_seed() * 1000003u + salt * 1009u + static_cast<std::uint64_t>(k);
}

/// Runs one hidden case: a crash, or an exception on valid input, costs this case only.
template <typename Check>
void hidden_case(const std::string& name, std::uint64_t seed, Check&& check) {
  SCOPED_TRACE("hidden case " + name + ", seed " + std::to_string(seed));
  guarded([&] {
    try {
      check();
    } catch (const NotImplemented&) {
      throw;  // an unfinished stub: the whole test fails
    } catch (const boundary::CallFailed&) {
      throw;  // guarded() reports it
    } catch (const std::exception& e) {
      ADD_FAILURE() << "threw on a valid input: " << e.what();
    }
  });
}

/// How a call ended: returned, or threw (which type, what message).
struct Outcome {
  bool threw = false;
  std::string type, message;
};

template <typename Call>
Outcome outcome_of(Call&& call) {
  try {
    call();
    return {};
  } catch (const boundary::CallFailed&) {
    throw;
  } catch (const std::invalid_argument& e) {
    return {true, "std::invalid_argument", e.what()};
  } catch (const std::exception& e) {
    return {true, "another exception", e.what()};
  }
}

inline std::string describe(const Outcome& o) {
  return o.threw ? o.type + "(\"" + o.message + "\")" : std::string("returned normally");
}

/// Success when the code under test ended `call` as the reference did: returned, or threw
/// the same type with the same message. Where the lesson leaves the wording to the student,
/// `must_mention` names the word the message must contain instead.
inline ::testing::AssertionResult same_outcome(const Outcome& got, const Outcome& want, const std::string& call,
                                               const std::string& must_mention = "") {
  const bool message_ok =
      must_mention.empty() ? got.message == want.message : got.message.find(must_mention) != std::string::npos;
  if (got.threw == want.threw && got.type == want.type && message_ok) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << call << ":\n  expected " << describe(want) << " (as the reference does"
                                       << (must_mention.empty() ? ")" : "; your message need only mention \"" +
                                                                            must_mention + "\")")
                                       << "\n  got      " << describe(got);
}

}  // namespace bnkit::grader
