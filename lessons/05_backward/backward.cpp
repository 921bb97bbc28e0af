// Lesson 05: the train-mode backward pass, node by node. Complete batchnorm_forward_nodes()
// and batchnorm_backward_nodes() below. The contract (shapes, errors) is in backward.hpp;
// the lesson, with every node derived, in README.md.
// Check your work with `./bnkit grade 05`; stuck? `./bnkit hint 05`.
#include "backward.hpp"

#include "bnkit/checks.hpp"
#include "bnkit/todo.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace bnkit {

Tensor batchnorm_forward_nodes(ForwardNodes& nodes, const Tensor& x, const Eigen::VectorXd& gamma,
                               const Eigen::VectorXd& beta, double eps) {
  // TODO(lesson 05): the forward graph, keeping every node. x is (N,C) or (N,C,L);
  //   M = N * L values per channel (L = 1 for (N,C)); x.channel(c) is an L x N view of them.
  //   1. Reject bad input, in this order, before writing anything (bnkit/checks.hpp):
  //        check_rank_2_or_3(x.shape());
  //        affine = gamma or beta not empty; then check_length(gamma.size(), C, "gamma")
  //        and the same for "beta";
  //        check_more_than_one_value_per_channel(M, x.shape()).
  //   2. Per channel c: nodes.mean[c] = mean of x.channel(c); nodes.xc = x - mean;
  //      nodes.var[c] = mean of xc^2 (BIASED: divide by M); nodes.rstd[c] = 1/sqrt(var + eps);
  //      nodes.xhat = xc * rstd. Make the tensors first: nodes.xc = Tensor(x.shape()).
  //   3. Return y = gamma * xhat + beta per channel (y = xhat when not affine).
  BNKIT_TODO("lesson 05, batchnorm_forward_nodes(): fill every node and return y");
}

void batchnorm_backward_nodes(NodeGradients& grads, const Tensor& dy, const ForwardNodes& nodes,
                              const Eigen::VectorXd& gamma) {
  // TODO(lesson 05): walk the graph backwards, one node at a time, per channel c.
  //   1. Reject bad input, in this order, before writing anything. Let shape = nodes.xhat.shape(),
  //      C = shape[1]: check_rank_2_or_3(shape); dy, then nodes.xc, must have that shape
  //      (throw std::invalid_argument("dy should have shape " + shape_string(shape) + " not " +
  //      shape_string(dy.shape())), the same with "nodes.xc"); check_length for "nodes.var",
  //      then "nodes.rstd" (length C); gamma empty (not affine) or check_length(..., "gamma").
  //   2. Per channel, with M = N * L and the views dy.channel(c), nodes.xc.channel(c), ...:
  //        dbeta[c]  = sum(dy)              dgamma[c] = sum(dy * xhat)    (affine only)
  //        dxhat     = dy * gamma[c]        (dy when not affine)
  //        drstd[c]  = sum(dxhat * xc)
  //        dvar      = -1/2 * rstd^3 * drstd[c]     (a local: the contract returns drstd)
  //        dxc       = dxhat * rstd + dvar * 2 * xc / M     (xc feeds xhat AND var)
  //        dmean[c]  = -sum(dxc)
  //        dx        = dxc + dmean[c] / M                    (x feeds xc AND mean)
  //   grads' Tensors: make them first, e.g. grads.dx = Tensor(shape); leave dgamma and dbeta
  //   empty when gamma is empty.
  BNKIT_TODO("lesson 05, batchnorm_backward_nodes(): compute every node's gradient");
}

}  // namespace bnkit
