// Lesson 09's contract across the process boundary (see harness/README.md). Free functions
// only: every input crosses in with the call, every output crosses back.
#include "folding.hpp"

#include "bind.hpp"

BNKIT_BIND_FIELDS(bnkit::TrainedBatchNorm, b, (b.gamma, b.beta, b.running_mean, b.running_var, b.eps, b.training))
BNKIT_BIND_FIELDS(bnkit::FoldedLinear, f, (f.weight, f.bias))
BNKIT_BIND_FIELDS(bnkit::FoldedConv2d, f, (f.weight, f.bias))

BNKIT_BIND_FUNCTION(Eigen::VectorXd, fold_scale, (const TrainedBatchNorm& bn), (bn))
BNKIT_BIND_FUNCTION(FoldedLinear, fold_linear_bn,
                    (const Eigen::MatrixXd& weight, const Eigen::VectorXd& bias, const TrainedBatchNorm& bn),
                    (weight, bias, bn))
BNKIT_BIND_FUNCTION(FoldedConv2d, fold_conv_bn,
                    (const Tensor& weight, const Eigen::VectorXd& bias, const TrainedBatchNorm& bn),
                    (weight, bias, bn))
BNKIT_BIND_FUNCTION(Eigen::MatrixXd, linear_bn_forward,
                    (const Eigen::MatrixXd& x, const Eigen::MatrixXd& weight, const Eigen::VectorXd& bias,
                     const TrainedBatchNorm& bn),
                    (x, weight, bias, bn))
