#include "mistakes.hpp"

#include <map>

namespace bnkit::grader {

std::string describe_mistake(const std::string& id) {
  static const std::map<std::string, std::string> catalogue = {
      {"divides_by_n_minus_1",
       "you divided by N-1 (the unbiased variance) where BatchNorm uses the biased variance "
       "(divide by N)."},
      {"divides_by_n",
       "you divided by N, which is the biased variance; the unbiased one divides by N-1."},
      {"naive_one_pass_variance",
       "you computed the variance as E[x^2] - E[x]^2, which cancels catastrophically when the "
       "mean is large; subtract the mean first, then average the squares (two passes)."},
      {"wrong_axis",
       "your statistics run over the wrong axis: BatchNorm takes one mean and variance per "
       "feature/channel, over the batch (and L), not per sample."},
      {"eps_outside_sqrt",
       "you added eps outside the square root, sqrt(var) + eps; it belongs inside, "
       "sqrt(var + eps)."},
      {"forgot_affine", "you returned xhat without the affine step y = gamma * xhat + beta."},
      {"keras_momentum",
       "you applied momentum the Keras/CS231n way, m*old + (1-m)*new; PyTorch weights the new "
       "batch by m: (1-m)*old + m*new."},
      {"biased_variance_stored",
       "you stored the biased batch variance in running_var; PyTorch stores the unbiased one, "
       "var * M/(M-1)."},
      {"running_var_init_zero",
       "running_var starts at 0 in your code; PyTorch starts it at 1 (and running_mean at 0)."},
      {"batch_stats_in_eval",
       "in eval mode you normalised with the batch's own statistics; eval mode uses "
       "running_mean and running_var."},
      {"eval_updates_buffers",
       "your eval-mode forward changed the running statistics; eval mode must leave every "
       "buffer as it is."},
  };
  auto it = catalogue.find(id);
  return it == catalogue.end() ? std::string() : it->second;
}

std::string looks_like(const std::string& id) {
  const std::string sentence = describe_mistake(id);
  return "Looks like a known mistake [" + id + "]: " +
         (sentence.empty() ? std::string("(no description)") : sentence);
}

}  // namespace bnkit::grader
