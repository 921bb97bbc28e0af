// Lesson 11: frozen BatchNorm for fine-tuning. Complete the constructor, forward() and
// backward(). The contract is in frozen_bn.hpp; the lesson in README.md.
// Check your work with `./bnkit grade 11`; stuck? `./bnkit hint 11`.
#include "frozen_bn.hpp"

#include "bnkit/checks.hpp"
#include "bnkit/todo.hpp"

#include <cmath>

namespace bnkit {

FrozenBatchNorm1d::FrozenBatchNorm1d(Index channels, FrozenOptions switches)
    : num_features(channels), options(switches) {
  // TODO(lesson 11): gamma all 1, beta all 0, running_mean all 0, running_var all 1
  //   (length num_features), num_batches_tracked 0, training true.
  BNKIT_TODO("lesson 11, FrozenBatchNorm1d(): create gamma, beta and the buffers");
}

Tensor FrozenBatchNorm1d::forward(const Tensor& x) {
  // TODO(lesson 11): x is (N,C) or (N,C,L). In order: check_rank_2_or_3(x.shape());
  //   x.numel() == 0 -> return an empty Tensor of x's shape; check_channels(x.shape(),
  //   num_features). Then per channel c (x.channel(c) is an L x N view):
  //     y.channel(c) = (x.channel(c) - running_mean[c]) / sqrt(running_var[c] + eps)
  //                    * gamma[c] + beta[c]
  //   The mode does not matter; no batch statistics; change NO field (buffers, counter).
  BNKIT_TODO("lesson 11, FrozenBatchNorm1d::forward(): normalise with the running statistics");
}

FrozenGrads FrozenBatchNorm1d::backward(const Tensor& dy, const Tensor& x) {
  // TODO(lesson 11): checks in order: check_rank_2_or_3(x.shape()),
  //   check_same_shape(dy.shape(), x.shape(), "dy"), check_channels(x.shape(), num_features).
  //   rstd = 1 / sqrt(running_var + eps), xhat = (x - running_mean) * rstd, per channel:
  //     dx = dy * gamma * rstd   (no mean(dy) term, no xhat * mean(dy * xhat) term)
  //     dgamma = sum(dy * xhat), dbeta = sum(dy); both zeros (C) when options.freeze_affine.
  BNKIT_TODO("lesson 11, FrozenBatchNorm1d::backward(): dx, dgamma, dbeta with frozen statistics");
}

}  // namespace bnkit
