// Lesson 07: BatchNorm2d on NCHW tensors. Complete the constructor, forward() and
// backward(). The contract is in conv_axes.hpp; the lesson in README.md.
// Check your work with `./bnkit grade 07`; stuck? `./bnkit hint 07`.
#include "conv_axes.hpp"

#include "bnkit/checks.hpp"
#include "bnkit/todo.hpp"

#include <cmath>

namespace bnkit {

BatchNorm2d::BatchNorm2d(Index channels, BatchNormOptions switches)
    : num_features(channels), options(switches) {
  // TODO(lesson 07): create the parameters and buffers (length num_features), as in
  //   lesson 04: if options.affine, gamma all 1 and beta all 0 (else leave them empty); if
  //   options.track_running_stats, running_mean all 0, running_var all 1 and
  //   num_batches_tracked 0 (else leave them empty). save_mean and save_rstd stay empty.
  BNKIT_TODO("lesson 07, BatchNorm2d(): create gamma, beta and the buffers");
}

Tensor BatchNorm2d::forward(const Tensor& x) {
  // TODO(lesson 07): x is (N,C,H,W); statistics are per channel over N, H and W together,
  //   M = N * H * W values each. In PyTorch's order (the contract in conv_axes.hpp):
  //   1. check_rank_4(x.shape()): a wrong rank changes nothing.
  //   2. Batch statistics when training OR when there are no running stats; the running
  //      statistics otherwise (eval with tracking), and then change nothing.
  //   3. Train mode with tracking: num_batches_tracked += 1 on EVERY call past step 1.
  //   4. Batch statistics: check_more_than_one_value_per_channel(M, x.shape()) (on M, not N).
  //   5. x.numel() == 0: return an empty Tensor of x's shape.
  //   6. check_channels(x.shape(), num_features).
  //   7. Per channel c, x.channel(c) is an (H*W) x N view holding all M values: one mean
  //      and one biased var per view. Batch statistics: set save_mean = mean and
  //      save_rstd = 1 / sqrt(var + eps); in train mode with tracking update the buffers
  //      (unbiased var * M / (M - 1); momentum std::nullopt -> 1 / num_batches_tracked).
  //   8. y.channel(c) = (x.channel(c) - mean) / sqrt(var + eps) * gamma + beta
  //      (no gamma/beta when !options.affine).
  BNKIT_TODO("lesson 07, BatchNorm2d::forward(): statistics per channel over N, H, W");
}

BatchNorm2dGrads BatchNorm2d::backward(const Tensor& dy, const Tensor& x) {
  // TODO(lesson 07): the gradients of forward at x. Checks, in order: check_rank_4(x),
  //   check_same_shape(dy.shape(), x.shape(), "dy"), check_channels, then the lengths of the
  //   statistics it reads (check_length(save_mean.size(), num_features, "save_mean"), ...).
  //   Batch statistics (training || !track_running_stats): mean = save_mean,
  //   rstd = save_rstd; per channel, with xhat = (x - mean) * rstd over the (H*W) x N view:
  //     dbeta = sum(dy), dgamma = sum(dy * xhat),
  //     dx = gamma * rstd * (dy - mean(dy) - xhat * mean(dy * xhat)).
  //   Eval with running stats: rstd = 1 / sqrt(running_var + eps), dx = dy * gamma * rstd.
  //   Return {dx (x's shape), dgamma (C), dbeta (C)}; dgamma, dbeta empty when !affine.
  BNKIT_TODO("lesson 07, BatchNorm2d::backward(): dx, dgamma, dbeta");
}

}  // namespace bnkit
