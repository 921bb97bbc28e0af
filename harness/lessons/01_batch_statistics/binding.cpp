// Lesson 01's contract across the process boundary: declared once, built twice (the proxy
// in the trusted test binary, the dispatcher entry in the worker). See harness/README.md.
#include "batch_statistics.hpp"

#include "bind.hpp"

BNKIT_BIND_FUNCTION(void, batch_statistics,
                    (Eigen::Ref<Eigen::VectorXd> mean, Eigen::Ref<Eigen::VectorXd> var,
                     Eigen::Ref<Eigen::VectorXd> var_unbiased, const Eigen::Ref<const Eigen::MatrixXd>& x),
                    (mean, var, var_unbiased, x))
