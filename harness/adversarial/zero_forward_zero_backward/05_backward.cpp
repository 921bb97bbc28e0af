// attack: no BatchNorm at all: the forward returns zeros and the backward returns zero gradients, so the two agree with each other and a central-difference check that compares them alone passes; every gradient check must also see the loss depend on the input, so 0
// lesson: 05_backward
// expect: 0
// compiles: yes
#include "backward.hpp"

namespace bnkit {

Tensor batchnorm_forward_nodes(ForwardNodes& nodes, const Tensor& x, const Eigen::VectorXd&,
                               const Eigen::VectorXd&, double) {
  nodes = ForwardNodes();
  return Tensor(x.shape());  // zeros: y does not depend on x
}

void batchnorm_backward_nodes(NodeGradients& grads, const Tensor& dy, const ForwardNodes&,
                              const Eigen::VectorXd& gamma) {
  grads = NodeGradients();
  grads.dx = Tensor(dy.shape());
  grads.dgamma = Eigen::VectorXd::Zero(gamma.size());
  grads.dbeta = Eigen::VectorXd::Zero(gamma.size());
}

}  // namespace bnkit
