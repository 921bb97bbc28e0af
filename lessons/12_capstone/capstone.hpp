/// \file
/// Lesson 12 contract: the capstone. Wire the course notes' MLP (bnkit/capstone/model.hpp)
/// with your own BatchNorm, and train it. Do not edit; complete capstone.cpp.
///
/// You write the wiring; the kit provides the layers (Linear, Relu, Dropout), the loss, SGD
/// and the batches. Your BatchNorm is the one you wrote: lesson 01's batch_statistics,
/// lesson 04's BatchNorm1d (forward, running statistics, eval mode) and lesson 06's
/// closed-form backward. With config.norm == Norm::layer, lesson 08's layer_norm and
/// layer_norm_backward take its place.
///
/// Shapes: B = batch, D = a layer's width. Activations are (B, D) Matrix values, one sample
/// per row; the lessons' functions take a Tensor: to_tensor / to_matrix convert.
#pragma once

#include "backward_fast.hpp"     // lesson 06: batchnorm_backward_fast
#include "batch_statistics.hpp"  // lesson 01: batch_statistics
#include "bnkit/capstone/model.hpp"
#include "eval_mode.hpp"         // lesson 04: BatchNorm1d
#include "other_norms.hpp"       // lesson 08: layer_norm, layer_norm_backward

#include <cstdint>

namespace bnkit {

/// Switches the model to train mode (training = true) or eval mode: model.training, both
/// blocks' BatchNorm1d and both blocks' Dropout. Nothing else changes.
void set_training(Mlp& model, bool training);

/// The logits (B, classes) for x (B, inputs): block1, block2, head.
///
/// A hidden block is Linear -> Norm -> ReLU -> Dropout (Placement::before_relu) or
/// Linear -> ReLU -> Norm -> Dropout (Placement::after_relu), where Norm is, by config.norm:
///   none:  nothing;
///   batch: the block's batch_norm.forward (lesson 04: batch statistics and a running-
///          statistics update in train mode, the running statistics in eval mode). In train
///          mode, also save what the backward pass needs: norm_input, and the batch's
///          batch_mean and batch_rstd = 1 / sqrt(biased variance + batch_norm.options.eps)
///          (lesson 01);
///   layer: layer_norm(x, ln_weight, ln_bias, config.eps) (lesson 08), saving norm_input.
/// The kit's layers keep what their own backward needs (Linear::forward, Relu::forward,
/// Dropout::forward). Eval mode must not change the model's parameters or buffers.
/// \throws std::invalid_argument when x does not have config.inputs columns (Linear's
///         message), or whatever your BatchNorm1d throws (a batch of one in train mode).
Matrix mlp_forward(Mlp& model, const Matrix& x);

/// The gradients of a loss L at every parameter, for dlogits = dL/dlogits (B, classes) of
/// the last train-mode mlp_forward: each Linear's dweight and dbias (Linear::backward),
/// each block's dgamma and dbeta (BatchNorm, through lesson 06's batchnorm_backward_fast
/// with the saved batch_mean and batch_rstd) or ln_dweight and ln_dbias (LayerNorm, lesson
/// 08). The first Linear's input gradient is not needed (Linear::backward_parameters).
void mlp_backward(Mlp& model, const Matrix& dlogits);

/// One epoch of minibatch SGD on `data`: train mode first, then for every batch of
/// shuffled_batches(data.size(), batch_size, shuffle_seed): forward, softmax_cross_entropy,
/// backward, optimizer.step(parameters(model)).
/// \return the mean of the batches' losses.
double train_epoch(Mlp& model, Sgd& optimizer, const Dataset& data, Eigen::Index batch_size,
                   std::uint64_t shuffle_seed);

/// The fraction of `data` the model classifies right (predictions of the logits), in eval
/// mode, batch by batch in order (ordered_batches). Leaves the model in eval mode; changes
/// no parameter and no buffer.
double evaluate(Mlp& model, const Dataset& data, Eigen::Index batch_size);

}  // namespace bnkit
