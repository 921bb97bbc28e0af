#include "random.hpp"
#include "reference_cases.hpp"
#include "running_stats.hpp"

#include <string>

void bnkit::golden::write_reference_cases(grader::CaseWriter& out) {
  struct Sequence { const char* name; const char* momentum; Eigen::Index d, count; int steps; std::uint64_t seed; };
  for (const Sequence& q : {Sequence{"momentum_0.01_8steps", "0.01", 5, 64, 8, 301},
                            Sequence{"momentum_1_2steps", "1", 3, 4, 2, 302},
                            Sequence{"momentum_0_3steps", "0", 3, 5, 3, 304},
                            Sequence{"momentum_none_6steps", "none", 2, 3, 6, 303}}) {
    const std::string m = q.momentum;
    const std::optional<double> momentum = m == "none" ? std::nullopt : std::optional<double>(std::stod(m));
    RunningStats running = make_running_stats(q.d);
    out.begin_case(q.name);
    out.text("momentum", m);
    out.text("seed", std::to_string(q.seed));
    out.scalar("count", static_cast<double>(q.count));
    out.scalar("steps", q.steps);
    for (int k = 1; k <= q.steps; ++k) {
      const std::string s = "." + std::to_string(k);
      const Eigen::VectorXd mean = grader::random_normal(q.d, 1, q.seed * 100 + k, 3.0, 2.0);
      const Eigen::VectorXd var = grader::random_uniform(q.d, q.seed * 100 + 50 + k, 0.1, 4.0);
      update_running_stats(running, mean, var, q.count, momentum);
      out.vector("batch_mean" + s, mean);
      out.vector("batch_var" + s, var);
      out.vector("running_mean" + s, running.mean);
      out.vector("running_var" + s, running.var);
      out.scalar("num_batches_tracked" + s, static_cast<double>(running.num_batches_tracked));
    }
    out.end_case();
  }
}
