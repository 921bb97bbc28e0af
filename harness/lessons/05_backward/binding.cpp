// Lesson 05's contract across the process boundary (see harness/README.md).
#include "backward.hpp"

#include "bind.hpp"

BNKIT_BIND_FIELDS(bnkit::ForwardNodes, n, (n.mean, n.xc, n.var, n.rstd, n.xhat))
BNKIT_BIND_FIELDS(bnkit::NodeGradients, g, (g.dbeta, g.dgamma, g.dxhat, g.drstd, g.dxc, g.dmean, g.dx))

BNKIT_BIND_FUNCTION(Tensor, batchnorm_forward_nodes,
                    (ForwardNodes& nodes, const Tensor& x, const Eigen::VectorXd& gamma, const Eigen::VectorXd& beta,
                     double eps),
                    (nodes, x, gamma, beta, eps))
BNKIT_BIND_FUNCTION(void, batchnorm_backward_nodes,
                    (NodeGradients& grads, const Tensor& dy, const ForwardNodes& nodes, const Eigen::VectorXd& gamma),
                    (grads, dy, nodes, gamma))
