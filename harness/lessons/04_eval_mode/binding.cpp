// Lesson 04's contract across the process boundary (see harness/README.md). The layer's
// state (settings, parameters, buffers, mode) is public, as PyTorch's attributes are, and
// crosses in and out with every call: the worker keeps nothing between calls.
#include "eval_mode.hpp"

#include "bind.hpp"

BNKIT_BIND_FIELDS(bnkit::BatchNormOptions, o, (o.eps, o.momentum, o.affine, o.track_running_stats))
BNKIT_BIND_FIELDS(bnkit::BatchNorm1d, l,
                  (l.num_features, l.options, l.training, l.gamma, l.beta, l.running_mean, l.running_var,
                   l.num_batches_tracked))

BNKIT_BIND_CONSTRUCTOR(BatchNorm1d, (Index channels, BatchNormOptions switches), (channels, switches))
BNKIT_BIND_METHOD(Tensor, BatchNorm1d, forward, (const Tensor& x), (x))
