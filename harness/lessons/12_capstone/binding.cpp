// Lesson 12's contract across the process boundary (see harness/README.md). The model is a
// plain value: every layer's parameters, buffers, mode, saved activations and gradients
// cross in and out with every call, as lesson 04's layer does; the worker keeps nothing.
#include "capstone.hpp"

#include "bind.hpp"

BNKIT_BIND_FIELDS(bnkit::BatchNormOptions, o, (o.eps, o.momentum, o.affine, o.track_running_stats))
BNKIT_BIND_FIELDS(bnkit::BatchNorm1d, l,
                  (l.num_features, l.options, l.training, l.gamma, l.beta, l.running_mean, l.running_var,
                   l.num_batches_tracked))
BNKIT_BIND_FIELDS(bnkit::Linear, l, (l.weight, l.bias, l.dweight, l.dbias, l.input))
BNKIT_BIND_FIELDS(bnkit::Relu, r, (r.input))
BNKIT_BIND_FIELDS(bnkit::Dropout, d, (d.p, d.training, d.seed, d.calls, d.mask))
BNKIT_BIND_FIELDS(bnkit::HiddenBlock, b,
                  (b.linear, b.batch_norm, b.ln_weight, b.ln_bias, b.relu, b.dropout, b.norm_input, b.batch_mean,
                   b.batch_rstd, b.dgamma, b.dbeta, b.ln_dweight, b.ln_dbias))
BNKIT_BIND_FIELDS(bnkit::MlpConfig, c,
                  (c.inputs, c.hidden1, c.hidden2, c.classes, c.norm, c.placement, c.dropout, c.eps, c.bn_momentum))
BNKIT_BIND_FIELDS(bnkit::Mlp, m, (m.config, m.training, m.block1, m.block2, m.head))
BNKIT_BIND_FIELDS(bnkit::SgdOptions, o, (o.lr, o.momentum, o.weight_decay, o.decay_all))
BNKIT_BIND_FIELDS(bnkit::Sgd, s, (s.options, s.velocity))
BNKIT_BIND_FIELDS(bnkit::Dataset, d, (d.images, d.labels))

BNKIT_BIND_FUNCTION(void, set_training, (Mlp& model, bool training), (model, training))
BNKIT_BIND_FUNCTION(Matrix, mlp_forward, (Mlp& model, const Matrix& x), (model, x))
BNKIT_BIND_FUNCTION(void, mlp_backward, (Mlp& model, const Matrix& dlogits), (model, dlogits))
BNKIT_BIND_FUNCTION(double, train_epoch,
                    (Mlp& model, Sgd& optimizer, const Dataset& data, Eigen::Index batch_size,
                     std::uint64_t shuffle_seed),
                    (model, optimizer, data, batch_size, shuffle_seed))
BNKIT_BIND_FUNCTION(double, evaluate, (Mlp& model, const Dataset& data, Eigen::Index batch_size),
                    (model, data, batch_size))
