// Lesson 02's contract across the process boundary (see harness/README.md).
#include "forward.hpp"

#include "bind.hpp"

BNKIT_BIND_FIELDS(bnkit::ForwardCache, c, (c.xhat, c.mean, c.rstd))

BNKIT_BIND_FUNCTION(void, batchnorm_forward,
                    (Eigen::Ref<Eigen::MatrixXd> y, ForwardCache& cache, const Eigen::Ref<const Eigen::MatrixXd>& x,
                     const Eigen::Ref<const Eigen::VectorXd>& gamma, const Eigen::Ref<const Eigen::VectorXd>& beta,
                     double eps),
                    (y, cache, x, gamma, beta, eps))
