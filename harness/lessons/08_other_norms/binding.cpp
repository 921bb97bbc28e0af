// Lesson 08's contract across the process boundary (see harness/README.md). Free
// functions, no state: every input crosses in, the result crosses back.
#include "other_norms.hpp"

#include "bind.hpp"

BNKIT_BIND_FIELDS(bnkit::LayerNormGrads, g, (g.dx, g.dweight, g.dbias))
BNKIT_BIND_FIELDS(bnkit::GroupNormGrads, g, (g.dx, g.dweight, g.dbias))
BNKIT_BIND_FIELDS(bnkit::RmsNormGrads, g, (g.dx, g.dweight))

BNKIT_BIND_FUNCTION(Tensor, layer_norm, (const Tensor& x, const Tensor& weight, const Tensor& bias, double eps),
                    (x, weight, bias, eps))
BNKIT_BIND_FUNCTION(LayerNormGrads, layer_norm_backward,
                    (const Tensor& dy, const Tensor& x, const Tensor& weight, double eps), (dy, x, weight, eps))
BNKIT_BIND_FUNCTION(Tensor, group_norm,
                    (const Tensor& x, Index num_groups, const Eigen::VectorXd& weight, const Eigen::VectorXd& bias,
                     double eps),
                    (x, num_groups, weight, bias, eps))
BNKIT_BIND_FUNCTION(GroupNormGrads, group_norm_backward,
                    (const Tensor& dy, const Tensor& x, Index num_groups, const Eigen::VectorXd& weight, double eps),
                    (dy, x, num_groups, weight, eps))
BNKIT_BIND_FUNCTION(Tensor, rms_norm, (const Tensor& x, const Tensor& weight, double eps), (x, weight, eps))
BNKIT_BIND_FUNCTION(RmsNormGrads, rms_norm_backward,
                    (const Tensor& dy, const Tensor& x, const Tensor& weight, double eps), (dy, x, weight, eps))
