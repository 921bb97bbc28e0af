// Lesson 03's contract across the process boundary (see harness/README.md).
#include "running_stats.hpp"

#include "bind.hpp"

BNKIT_BIND_FIELDS(bnkit::RunningStats, s, (s.mean, s.var, s.num_batches_tracked))

BNKIT_BIND_FUNCTION(RunningStats, make_running_stats, (Eigen::Index num_features), (num_features))
BNKIT_BIND_FUNCTION(void, update_running_stats,
                    (RunningStats& running, const Eigen::Ref<const Eigen::VectorXd>& batch_mean,
                     const Eigen::Ref<const Eigen::VectorXd>& batch_var, Eigen::Index count,
                     std::optional<double> momentum),
                    (running, batch_mean, batch_var, count, momentum))
BNKIT_BIND_FUNCTION(double, momentum_from_keras, (double keras_momentum), (keras_momentum))
