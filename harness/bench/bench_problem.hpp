// What the benchmark's parts share. Deliberately free of namespace bnkit: the closed forms
// are compiled with `bnkit` renamed (see CMakeLists.txt), so only plain Eigen and std types
// may cross between them and the benchmark's main.
#pragma once

#include <Eigen/Core>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace bnkit_bench {

/// One backward problem: x and dy (row-major values of `shape`), the cache, gamma.
struct Problem {
  std::string label;                 ///< "(N,C) = (1024, 64)"
  std::vector<Eigen::Index> shape;   ///< (N,C) or (N,C,L)
  Eigen::VectorXd x, dy;             ///< row-major, PyTorch's order
  Eigen::VectorXd mean, rstd, gamma; ///< (C)
};

/// What one call computed.
struct Result {
  Eigen::VectorXd dx, dgamma, dbeta;
};

/// One implementation, set up on one problem: run() is the timed call, result() what it left.
class Runner {
 public:
  virtual ~Runner() = default;
  virtual void run() = 0;
  virtual Result result() const = 0;
};

/// The code reached its BNKIT_TODO: nothing to time yet.
class NotStarted : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The two closed forms, each compiled from its own file (closed_form_runner.cpp).
std::unique_ptr<Runner> make_student_runner(const Problem& p);
std::unique_ptr<Runner> make_reference_runner(const Problem& p);

}  // namespace bnkit_bench
