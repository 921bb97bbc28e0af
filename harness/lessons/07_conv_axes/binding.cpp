// Lesson 07's contract across the process boundary (see harness/README.md). The layer's
// state (settings, parameters, buffers, mode, and the statistics backward reads) is
// public and crosses in and out with every call: the worker keeps nothing between calls.
#include "conv_axes.hpp"

#include "bind.hpp"

BNKIT_BIND_FIELDS(bnkit::BatchNormOptions, o, (o.eps, o.momentum, o.affine, o.track_running_stats))
BNKIT_BIND_FIELDS(bnkit::BatchNorm2d, l,
                  (l.num_features, l.options, l.training, l.gamma, l.beta, l.running_mean, l.running_var,
                   l.num_batches_tracked, l.save_mean, l.save_rstd))
BNKIT_BIND_FIELDS(bnkit::BatchNorm2dGrads, g, (g.dx, g.dgamma, g.dbeta))

BNKIT_BIND_CONSTRUCTOR(BatchNorm2d, (Index channels, BatchNormOptions switches), (channels, switches))
BNKIT_BIND_METHOD(Tensor, BatchNorm2d, forward, (const Tensor& x), (x))
BNKIT_BIND_METHOD(BatchNorm2dGrads, BatchNorm2d, backward, (const Tensor& dy, const Tensor& x), (dy, x))
