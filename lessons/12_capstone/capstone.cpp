// Lesson 12, the capstone: wire the notes' MLP with your own BatchNorm and train it.
// The contract is in capstone.hpp (the model and the kit's layers in
// harness/include/bnkit/capstone/model.hpp); the lesson in README.md.
// Check your work with `./bnkit grade 12`; stuck? `./bnkit hint 12`.
// Watch it learn: `./bnkit capstone` (yours) or `./bnkit capstone --reference`.
#include "capstone.hpp"

#include "bnkit/todo.hpp"

#include <cmath>

namespace bnkit {

void set_training(Mlp& model, bool training) {
  // TODO(lesson 12): set model.training, and the mode of every layer that behaves
  //   differently in training: each block's batch_norm (its train() method) and dropout
  //   (its `training` field).
  BNKIT_TODO("lesson 12, set_training(): switch the model and its layers");
}

Matrix mlp_forward(Mlp& model, const Matrix& x) {
  // TODO(lesson 12): block1, block2, then model.head.forward.
  //   A block: h = block.linear.forward(x); the norm on the side of the ReLU that
  //   model.config.placement says (block.relu.forward); then block.dropout.forward.
  //   The norm, by model.config.norm:
  //     Norm::batch: in train mode save norm_input, batch_mean and batch_rstd (lesson 01's
  //       batch_statistics gives the biased var), then to_matrix(block.batch_norm.forward(to_tensor(h)));
  //     Norm::layer: in train mode save norm_input; then layer_norm (lesson 08).
  BNKIT_TODO("lesson 12, mlp_forward(): wire the blocks");
}

void mlp_backward(Mlp& model, const Matrix& dlogits) {
  // TODO(lesson 12): the forward pass in reverse: model.head.backward(dlogits), then each
  //   block from its output: dropout, then ReLU and the norm in the reverse of their forward
  //   order, then the linear. Norm::batch: batchnorm_backward_fast (lesson 06) with the
  //   saved batch_mean, batch_rstd and norm_input, into block.dgamma and block.dbeta.
  //   block1's input gradient is never used: block1.linear.backward_parameters.
  BNKIT_TODO("lesson 12, mlp_backward(): the forward pass in reverse");
}

double train_epoch(Mlp& model, Sgd& optimizer, const Dataset& data, Eigen::Index batch_size,
                   std::uint64_t shuffle_seed) {
  // TODO(lesson 12): train mode; then for each batch of shuffled_batches(...):
  //   x = data.batch(indices, labels); logits = mlp_forward; loss = softmax_cross_entropy
  //   (it fills dlogits); mlp_backward; optimizer.step(parameters(model)).
  //   Return the mean loss over the batches.
  BNKIT_TODO("lesson 12, train_epoch(): the training loop");
}

double evaluate(Mlp& model, const Dataset& data, Eigen::Index batch_size) {
  // TODO(lesson 12): eval mode; then for each batch of ordered_batches(data.size(),
  //   batch_size), count the predictions(logits) equal to the labels. Return the fraction.
  BNKIT_TODO("lesson 12, evaluate(): accuracy in eval mode");
}

}  // namespace bnkit
