// Lesson 11's contract across the process boundary (see harness/README.md). The layer's
// state (settings, parameters, frozen buffers, mode) is public and crosses in and out with
// every call: the worker keeps nothing between calls.
#include "frozen_bn.hpp"

#include "bind.hpp"

BNKIT_BIND_FIELDS(bnkit::FrozenOptions, o, (o.eps, o.freeze_affine))
BNKIT_BIND_FIELDS(bnkit::FrozenBatchNorm1d, l,
                  (l.num_features, l.options, l.training, l.gamma, l.beta, l.running_mean, l.running_var,
                   l.num_batches_tracked))
BNKIT_BIND_FIELDS(bnkit::FrozenGrads, g, (g.dx, g.dgamma, g.dbeta))

BNKIT_BIND_CONSTRUCTOR(FrozenBatchNorm1d, (Index channels, FrozenOptions switches), (channels, switches))
BNKIT_BIND_METHOD(Tensor, FrozenBatchNorm1d, forward, (const Tensor& x), (x))
BNKIT_BIND_METHOD(FrozenGrads, FrozenBatchNorm1d, backward, (const Tensor& dy, const Tensor& x), (dy, x))
