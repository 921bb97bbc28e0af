// Lesson 04: BatchNorm1d with train and eval modes. Complete the constructor and forward().
// The contract is in eval_mode.hpp; the lesson in README.md.
// Check your work with `./bnkit grade 04`; stuck? `./bnkit hint 04`.
#include "eval_mode.hpp"

#include "bnkit/checks.hpp"
#include "bnkit/todo.hpp"

#include <cmath>

namespace bnkit {

BatchNorm1d::BatchNorm1d(Index channels, BatchNormOptions switches)
    : num_features(channels), options(switches) {
  // TODO(lesson 04): create the parameters and buffers (length num_features):
  //   if options.affine: gamma all 1, beta all 0 (otherwise leave them empty);
  //   if options.track_running_stats: running_mean all 0, running_var all 1,
  //   num_batches_tracked 0 (otherwise leave them empty).
  BNKIT_TODO("lesson 04, BatchNorm1d(): create gamma, beta and the buffers");
}

Tensor BatchNorm1d::forward(const Tensor& x) {
  // TODO(lesson 04): x is (N,C) or (N,C,L); statistics are per channel over N and L.
  //   In PyTorch's order (the contract in eval_mode.hpp):
  //   1. check_rank_2_or_3(x.shape()): a wrong rank changes nothing.
  //   2. Batch statistics when training OR when there are no running stats; running
  //      statistics otherwise (eval with tracking), and then change nothing.
  //   3. Train mode with tracking: num_batches_tracked += 1 on EVERY call past step 1,
  //      even an empty one or one refused below.
  //   4. Batch statistics need more than one value per channel:
  //      check_more_than_one_value_per_channel(N * L, x.shape()).
  //   5. No values at all (x.numel() == 0): return an empty tensor of x's shape; the
  //      running statistics stay untouched.
  //   6. check_channels(x.shape(), num_features).
  //   7. Per channel c, x.channel(c) is an L x N view of all its values: mean, biased var.
  //      In train mode with tracking, update the buffers as in lesson 03 (unbiased var,
  //      M = N * L; momentum std::nullopt -> 1 / num_batches_tracked).
  //   8. y.channel(c) = (x.channel(c) - mean) / sqrt(var + eps) * gamma + beta
  //      (no gamma/beta when !options.affine).
  BNKIT_TODO("lesson 04, BatchNorm1d::forward(): train and eval modes");
}

}  // namespace bnkit
