// Lesson 03 hidden tests (instructor mode): inputs drawn fresh from the run's seed, expected
// values from the reference solution (the oracle). Feature counts, momentum sequences and
// batch counts are unlike the visible cases, so answers that only fit the visible data
// earn nothing here.
#include "running_stats.hpp"
#include "lesson_test.hpp"

#include "bnkit/todo.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <optional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using bnkit::RunningStats;
using bnkit::grader::Tolerance;
using bnkit::grader::case_seed;
using bnkit::grader::hidden_case;

/// Random draws of one hidden case, reproducible from its seed.
struct Draw : bnkit::grader::Draw {
  using bnkit::grader::Draw::Draw;
  /// A momentum value: PyTorch's default, Keras-like small ones, large ones, the extremes
  /// 0 (buffers frozen) and 1 (buffers = last batch), or anything in between.
  double momentum() {
    const double choices[] = {0.1, 0.01, 0.3, 0.5, 0.9, 1.0, 0.0};
    return integer(0, 3) == 0 ? uniform(0.0, 1.0) : choices[integer(0, 6)];
  }
  /// The count behind a batch's statistics: often tiny (2, 3), sometimes large.
  Eigen::Index count() { return integer(0, 2) == 0 ? integer(2, 3) : integer(2, 4096); }
  /// Batch means with offsets up to 1e4 and both signs.
  Eigen::VectorXd means(Eigen::Index d) {
    Eigen::VectorXd m(d);
    for (Eigen::Index j = 0; j < d; ++j) m[j] = sign() * log_uniform(1e-3, 1e4);
    return m;
  }
  /// Biased batch variances from 1e-6 to 1e6, an exact 0 now and then.
  Eigen::VectorXd variances(Eigen::Index d) {
    Eigen::VectorXd v(d);
    for (Eigen::Index j = 0; j < d; ++j) v[j] = integer(0, 9) == 0 ? 0.0 : log_uniform(1e-6, 1e6);
    return v;
  }
  /// Buffers as a layer might hold them mid-training (or after loading a checkpoint).
  RunningStats state(Eigen::Index d) {
    RunningStats r;
    r.mean = means(d);
    r.var = variances(d).array() + 1e-3;
    r.num_batches_tracked = static_cast<long>(integer(0, 500));
    return r;
  }
};

std::string momentum_string(std::optional<double> m) {
  if (!m) return "none";
  std::ostringstream os;
  os.precision(6);
  os << *m;
  return os.str();
}

/// Compares every buffer and the counter with the reference's.
void expect_same_stats(const RunningStats& got, const RunningStats& want, const bnkit::grader::Origin& origin,
                       const std::string& when) {
  using bnkit::grader::tensors_match;
  using bnkit::grader::to_tensor;
  const Tolerance tol = Tolerance::forward();
  EXPECT_TRUE(tensors_match("running.mean " + when, to_tensor(got.mean), to_tensor(want.mean), tol, origin));
  EXPECT_TRUE(tensors_match("running.var " + when, to_tensor(got.var), to_tensor(want.var), tol, origin));
  EXPECT_EQ(got.num_batches_tracked, want.num_batches_tracked)
      << "running.num_batches_tracked " << when << " (the reference's value; it counts the batches seen)";
}

/// A sequence of batches folded into fresh buffers (made by make_running_stats) or into
/// a given mid-training state. Before every step the code under test gets the
/// reference's buffers, so each step is judged on its own and one mistake is reported
/// where it happens.
void replay_sequence(Draw& draw, Eigen::Index d, int steps, const std::optional<RunningStats>& start,
                     const std::function<std::optional<double>(int)>& momentum_at, const std::string& name,
                     std::uint64_t seed) {
  const bnkit::grader::Origin origin{"the reference solution (hidden case)", name, seed};
  RunningStats want;
  if (start) {
    want = *start;
  } else {
    want = bnkit::grader::with_oracle([&] { return bnkit::make_running_stats(d); });
    const RunningStats got = bnkit::make_running_stats(d);
    expect_same_stats(got, want, origin, "from make_running_stats(" + std::to_string(d) + ")");
  }
  for (int k = 1; k <= steps; ++k) {
    const Eigen::VectorXd mean = draw.means(d), var = draw.variances(d);
    const Eigen::Index count = draw.count();
    const std::optional<double> m = momentum_at(k);
    RunningStats got = want;
    bnkit::grader::with_oracle([&] { bnkit::update_running_stats(want, mean, var, count, m); });
    bnkit::update_running_stats(got, mean, var, count, m);
    expect_same_stats(got, want, origin,
                      "after batch " + std::to_string(k) + " (count " + std::to_string(count) + ", momentum " +
                          momentum_string(m) + ")");
  }
}

}  // namespace

// Catches: the Keras/CS231n form m*old + (1-m)*new, the biased variance stored (no
// M/(M-1), which matters most at count 2 and 3), running_var starting at 0, a
// num_batches_tracked that does not count, and momentum 0 or 1 mishandled (0 read as
// "none"). Fresh buffers of D = 1..40 from make_running_stats.
BNKIT_HIDDEN_TEST(HiddenRunningStats, RandomMomentumSequences, 3) {
  for (int k = 0; k < 6; ++k) {
    const std::uint64_t seed = case_seed(31, k);
    Draw draw(seed);
    const Eigen::Index d = draw.integer(1, 40);
    const double m = draw.momentum();
    const int steps = static_cast<int>(draw.integer(3, 8));
    const std::string name = "momentum_" + momentum_string(m) + "_d" + std::to_string(d);
    hidden_case(name, seed, [&] {
      replay_sequence(draw, d, steps, std::nullopt, [&](int) { return std::optional<double>(m); }, name, seed);
    });
  }
}

// Catches: the cumulative average (momentum none) done wrong: 1/num_batches_tracked taken
// before the increment (off by one), the first batch not overwriting the initial 0 and 1,
// a counter kept elsewhere than num_batches_tracked (here it starts mid-training, e.g.
// after loading a checkpoint), and sequences that switch between none and a value.
BNKIT_HIDDEN_TEST(HiddenRunningStats, CumulativeAverageWhenMomentumIsNone, 3) {
  for (int k = 0; k < 6; ++k) {
    const std::uint64_t seed = case_seed(32, k);
    Draw draw(seed);
    const Eigen::Index d = draw.integer(1, 40);
    const int steps = static_cast<int>(draw.integer(3, 8));
    const bool fresh = k % 2 == 0, mixed = k >= 4;
    std::vector<std::optional<double>> momenta;
    for (int s = 0; s < steps; ++s) {
      momenta.push_back(mixed && draw.integer(0, 1) == 0 ? std::optional<double>(draw.momentum()) : std::nullopt);
    }
    const std::optional<RunningStats> start = fresh ? std::nullopt : std::optional<RunningStats>(draw.state(d));
    const std::string name = std::string(mixed ? "mixed_none_and_values" : "none") +
                             (fresh ? "_fresh" : "_from_state") + "_d" + std::to_string(d);
    hidden_case(name, seed, [&] {
      replay_sequence(draw, d, steps, start, [&](int s) { return momenta[static_cast<std::size_t>(s - 1)]; },
                      name, seed);
    });
  }
}

// Catches: a table of the visible conversions (0.99, 0.9) instead of m = 1 - k.
BNKIT_HIDDEN_TEST(HiddenRunningStats, KerasMomentumConverts, 1) {
  for (int k = 0; k < 6; ++k) {
    const std::uint64_t seed = case_seed(33, k);
    Draw draw(seed);
    const double keras = k == 0 ? 0.999 : draw.uniform(0.0, 1.0);
    const std::string name = "keras_" + momentum_string(keras);
    hidden_case(name, seed, [&] {
      const double want = bnkit::grader::with_oracle([&] { return bnkit::momentum_from_keras(keras); });
      const double got = bnkit::momentum_from_keras(keras);
      EXPECT_NEAR(got, want, 1e-12) << "momentum_from_keras(" << keras << ")";
    });
  }
}

// Catches: missing length checks (or lengths checked the wrong way round: the batch gives
// the expected count, the buffer is the one reported), a missing count < 2 check, checks
// that throw on valid input (count 2, momentum none), and buffers or the counter changed
// before a check throws ("check everything before you change anything").
BNKIT_HIDDEN_TEST(HiddenRunningStats, BadInputThrowsLikeReference, 2) {
  for (int k = 0; k < 7; ++k) {
    const std::uint64_t seed = case_seed(34, k);
    Draw draw(seed);
    const Eigen::Index d = draw.integer(1, 40);
    const Eigen::Index off_by = draw.integer(1, std::min<Eigen::Index>(d, 5));
    const Eigen::Index wrong = draw.sign() > 0 ? d + off_by : d - off_by;  // 0..d-1 or d+1..d+5
    Eigen::Index mean_len = d, var_len = d, count = draw.count();
    std::optional<double> m = draw.momentum();
    std::string name;
    switch (k) {
      case 0: mean_len = wrong; name = "batch_mean_of_wrong_length"; break;
      case 1: var_len = wrong; name = "batch_var_of_wrong_length"; break;
      case 2: count = 1; name = "count_1"; break;
      case 3: count = -draw.integer(0, 3); name = "count_" + std::to_string(count); break;
      case 4: count = 2; m = std::nullopt; name = "count_2_momentum_none_is_valid"; break;
      case 5: count = 1; m = std::nullopt; name = "count_1_momentum_none"; break;
      default: name = "valid"; break;
    }
    name += "_d" + std::to_string(d);
    hidden_case(name, seed, [&] {
      const RunningStats given = draw.state(d);
      const Eigen::VectorXd mean = draw.means(mean_len), var = draw.variances(var_len);
      RunningStats want = given, got = given;
      const bnkit::grader::Ends ends = bnkit::grader::run_on_both(
          want, got, [&](RunningStats& r) { bnkit::update_running_stats(r, mean, var, count, m); });
      EXPECT_TRUE(ends.alike("update_running_stats on buffers of length " + std::to_string(d) +
                                 ", batch_mean of length " + std::to_string(mean_len) + ", batch_var of length " +
                                 std::to_string(var_len) + ", count " + std::to_string(count) + ", momentum " +
                                 momentum_string(m),
                             count < 2 ? "count" : ""));
      expect_same_stats(got, want, {"the reference solution (hidden case)", name, seed},
                        ends.expected.threw ? "after the throw" : "after the call");
    });
  }
}
