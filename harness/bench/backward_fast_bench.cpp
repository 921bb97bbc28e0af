// ./bnkit bench 06: the student's closed-form backward, the reference closed form and the
// node-by-node computation, timed on the same inputs in one run and shown as ratios of the
// reference's time. Speed is shown, never graded: this program links the student's code and
// the reference, runs outside the grading sandbox, and says so.
#include "bench_problem.hpp"
#include "node_by_node.hpp"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace bnkit_bench {

namespace {

/// The trusted node-by-node backward of the grader (harness/lessons/06_backward_fast/tests/).
class NodeByNode final : public Runner {
 public:
  explicit NodeByNode(const Problem& p)
      : x_(p.shape, p.x), dy_(p.shape, p.dy), mean_(p.mean), rstd_(p.rstd), gamma_(p.gamma) {}
  void run() override { g_ = bnkit::oracle::node_by_node_backward(mean_, rstd_, dy_, x_, gamma_); }
  Result result() const override { return {g_.dx.values(), g_.dgamma, g_.dbeta}; }

 private:
  bnkit::Tensor x_, dy_;
  Eigen::VectorXd mean_, rstd_, gamma_;
  bnkit::oracle::Gradients g_;
};

/// x with channels at their own offsets and spreads, dy ~ N(0,1), gamma, and the cache the
/// forward pass would have saved (two-pass mean, biased variance, eps = 1e-5).
Problem make_problem(const std::string& label, std::vector<Eigen::Index> shape, unsigned seed) {
  std::mt19937_64 gen(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  bnkit::Tensor x(shape), dy(shape);
  const Eigen::Index channels = shape[1];
  Eigen::VectorXd mean(channels), rstd(channels), gamma(channels);
  for (Eigen::Index c = 0; c < channels; ++c) {
    const double offset = 3.0 * normal(gen), spread = 0.5 + std::abs(normal(gen));
    bnkit::ChannelView v = x.channel(c);
    for (Eigen::Index j = 0; j < v.cols(); ++j)
      for (Eigen::Index i = 0; i < v.rows(); ++i) v(i, j) = offset + spread * normal(gen);
    mean[c] = v.mean();
    rstd[c] = 1.0 / std::sqrt((v.array() - mean[c]).square().mean() + 1e-5);
    gamma[c] = 0.5 + std::abs(normal(gen));
  }
  for (Eigen::Index i = 0; i < dy.numel(); ++i) dy.values()[i] = normal(gen);
  return {label, std::move(shape), x.values(), dy.values(), mean, rstd, gamma};
}

/// How an implementation did on its first call, before any timing.
struct Status {
  bool timed = false;  ///< it ran, so it is timed
  std::string note;    ///< "", or what went wrong / how far it is from the reference
};

/// Largest |a - b| over the three gradients, relative to the largest |b|.
double relative_difference(const Result& a, const Result& b) {
  double diff = 0.0, size = 1e-300;
  const auto compare = [&](const Eigen::VectorXd& u, const Eigen::VectorXd& v) {
    if (u.size() != v.size()) {
      diff = INFINITY;
      return;
    }
    if (v.size() == 0) return;
    diff = std::max(diff, (u - v).cwiseAbs().maxCoeff());
    size = std::max(size, v.cwiseAbs().maxCoeff());
  };
  compare(a.dx, b.dx);
  compare(a.dgamma, b.dgamma);
  compare(a.dbeta, b.dbeta);
  return diff / size;
}

Status first_call(Runner& r, const Result* want, const std::string& yardstick) {
  try {
    r.run();
  } catch (const NotStarted&) {
    return {false, "not started (it reaches its BNKIT_TODO)"};
  } catch (const std::exception& e) {
    return {false, std::string("threw on valid input: ") + e.what()};
  }
  if (!want) return {true, ""};
  const double d = relative_difference(r.result(), *want);
  if (!(d <= 1e-9)) {
    char text[64];
    std::snprintf(text, sizeof text, "max rel. difference %.1e: ", d);
    return {true, "gives other numbers than the " + yardstick + " (" + text + "fix it with ./bnkit grade 06 first)"};
  }
  return {true, ""};
}

/// Keeps the fastest real time per benchmark name over its repetitions; prints nothing.
class Collector : public benchmark::BenchmarkReporter {
 public:
  bool ReportContext(const Context&) override { return true; }
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      if (run.run_type != Run::RT_Iteration || run.error_occurred || run.iterations == 0) continue;
      const double ns = run.real_accumulated_time * 1e9 / static_cast<double>(run.iterations);
      auto it = best_.find(run.run_name.function_name);
      if (it == best_.end() || ns < it->second) best_[run.run_name.function_name] = ns;
    }
  }
  const std::map<std::string, double>& best() const { return best_; }

 private:
  std::map<std::string, double> best_;
};

std::string time_text(double ns) {
  char text[32];
  if (ns < 1e3) std::snprintf(text, sizeof text, "%7.1f ns", ns);
  else if (ns < 1e6) std::snprintf(text, sizeof text, "%7.1f us", ns / 1e3);
  else std::snprintf(text, sizeof text, "%7.2f ms", ns / 1e6);
  return text;
}

}  // namespace

}  // namespace bnkit_bench

int main(int argc, char** argv) {
  using namespace bnkit_bench;
  benchmark::Initialize(&argc, argv);

  std::printf("bnkit bench 06 · the closed-form backward (speed is shown, not graded)\n");
  std::printf("  This program links your code and the reference and runs outside the grading sandbox:\n"
              "  it is a tool for you, not a grader. Times are the fastest of 3 repetitions, as ratios\n"
              "  of the first row's time measured in this same run; on a busy machine they are noisy.\n");
#if !defined(__OPTIMIZE__)
  std::printf("  WARNING: built without optimisation, so these times mean little (./bnkit bench builds\n"
              "  build/release for this).\n");
#endif

  struct Impl {
    std::string key, title;
    std::unique_ptr<Runner> (*make)(const Problem&);
  };
  // The first one is the yardstick: its answer is checked against, its time divides the others.
  // A handout without solutions/ has no reference; the node-by-node version stands in.
  std::vector<Impl> impls;
#ifndef BNKIT_BENCH_NO_REFERENCE
  impls.push_back({"reference", "reference closed form", make_reference_runner});
#endif
  impls.push_back({"nodes", "node by node", [](const Problem& p) -> std::unique_ptr<Runner> {
                     return std::make_unique<NodeByNode>(p);
                   }});
  impls.push_back({"student", "your closed form", make_student_runner});
  const std::string yardstick = impls.front().title;
  // The first two keep a channel (8 KB, 64 KB per tensor) in the cache; the last one's channels
  // (4 MB per tensor) do not fit, so every extra pass goes to memory.
  const std::vector<Problem> problems = {make_problem("(N,C) = (1024, 64)", {1024, 64}, 601),
                                         make_problem("(N,C,L) = (32, 64, 256)", {32, 64, 256}, 602),
                                         make_problem("(N,C,L) = (64, 8, 8192)", {64, 8, 8192}, 603)};

  // Set up every implementation on every problem, and check its first answer against the
  // reference's before timing anything.
  std::vector<std::vector<std::unique_ptr<Runner>>> runners(problems.size());
  std::vector<std::vector<Status>> status(problems.size());
  for (std::size_t p = 0; p < problems.size(); ++p) {
    Result want;
    for (std::size_t i = 0; i < impls.size(); ++i) {
      runners[p].push_back(impls[i].make(problems[p]));
      status[p].push_back(first_call(*runners[p].back(), i == 0 ? nullptr : &want, yardstick));
      if (i == 0) want = runners[p].back()->result();
    }
  }

  for (std::size_t p = 0; p < problems.size(); ++p) {
    for (std::size_t i = 0; i < impls.size(); ++i) {
      if (!status[p][i].timed) continue;
      Runner* r = runners[p][i].get();
      benchmark::RegisterBenchmark((impls[i].key + "/" + std::to_string(p)).c_str(),
                                   [r](benchmark::State& state) {
                                     for (auto _ : state) {
                                       r->run();
                                       benchmark::ClobberMemory();
                                     }
                                   })
          ->Repetitions(3)
          ->MinTime(0.1)
          ->UseRealTime();
    }
  }
  Collector collector;
  benchmark::RunSpecifiedBenchmarks(&collector);
  benchmark::Shutdown();

  for (std::size_t p = 0; p < problems.size(); ++p) {
    const Problem& problem = problems[p];
    const Eigen::Index m = problem.shape[0] * (problem.shape.size() == 3 ? problem.shape[2] : 1);
    std::printf("\n  %s, M = %ld values per channel (ratio: time / the %s's)\n", problem.label.c_str(),
                static_cast<long>(m), yardstick.c_str());
    const auto best = [&](std::size_t i) {
      const auto it = collector.best().find(impls[i].key + "/" + std::to_string(p));
      return it == collector.best().end() ? -1.0 : it->second;
    };
    const double reference = best(0);  // the yardstick's time
    for (std::size_t i = 0; i < impls.size(); ++i) {
      const double ns = best(i);
      std::printf("    %-22s", impls[i].title.c_str());
      if (ns < 0) {
        std::printf("    %s\n", status[p][i].note.empty() ? "not timed" : status[p][i].note.c_str());
        continue;
      }
      std::printf("%s", time_text(ns).c_str());
      if (reference > 0) std::printf("   %5.2fx", ns / reference);
      std::printf("\n");
      if (!status[p][i].note.empty()) std::printf("      (%s)\n", status[p][i].note.c_str());
    }
  }
  std::printf("\nNot graded: ./bnkit grade 06 is what counts.\n");
  return 0;
}
