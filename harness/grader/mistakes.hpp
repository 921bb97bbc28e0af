// The catalogue of known mistakes the grader can recognise in a wrong answer, and the
// marker a check leaves so that the runner can name one.
//
// A check never names a mistake to the student itself. It leaves, in its failure message,
// one marker line per comparison:
//
//     bnkit-diagnosis: available=<id>,<id> matched=<id>
//
// (the fingerprints it had for that value, and those the wrong answer matched). The runner
// (harness/runner/grading.cpp) reads the markers of every failure of a test, strips them,
// and names mistake X, once, only when the evidence is consistent (see diagnose() there).
//
// The catalogue is inline because both sides use it: the test binaries (to check ids) and
// the runner (to print the sentence of the mistake it names).
#pragma once

#include <map>
#include <string>
#include <vector>

namespace bnkit::grader {

/// The first word of a diagnosis marker line.
inline constexpr const char* kDiagnosisMarker = "bnkit-diagnosis:";

/// One sentence explaining mistake `id` (an id used in golden fingerprints and mutants),
/// or an empty string for an unknown id.
inline std::string describe_mistake(const std::string& id) {
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
      {"float_accumulation",
       "your statistics were computed in float (32-bit), which keeps about 7 digits: at a "
       "large offset the values themselves lose their spread; compute in double."},
      {"pooled_over_whole_tensor",
       "you took one mean and variance over the whole tensor; BatchNorm takes one per "
       "feature/channel."},
      {"integer_bessel",
       "your Bessel factor count / (count - 1) was computed in integers, where it is 1 for "
       "every count above 2; convert to double before dividing."},
      {"special_cased_single_row",
       "you special-cased a batch of one row; with N = 1 the unbiased variance is 0/0 = NaN "
       "(as in PyTorch), so let the formula give it."},
      {"stale_statistics",
       "you normalised this batch with the running statistics from before this call; train "
       "mode normalises with the batch's own mean and variance, then updates the buffers."},
      {"gamma_beta_swapped",
       "you swapped gamma and beta: y = gamma * xhat + beta (gamma scales, beta shifts)."},
      {"momentum_none_as_default",
       "with momentum = None you used a fixed momentum (0.1, PyTorch's default); None means "
       "the cumulative average, weight 1/num_batches_tracked for the new batch."},
  // Later lessons bring their own mistakes, one file each: {"id", "sentence"}, lines.
#if __has_include("mistakes/05_backward.inc")
#include "mistakes/05_backward.inc"
#endif
#if __has_include("mistakes/06_backward_fast.inc")
#include "mistakes/06_backward_fast.inc"
#endif
#if __has_include("mistakes/07_conv_axes.inc")
#include "mistakes/07_conv_axes.inc"
#endif
#if __has_include("mistakes/08_other_norms.inc")
#include "mistakes/08_other_norms.inc"
#endif
#if __has_include("mistakes/09_folding.inc")
#include "mistakes/09_folding.inc"
#endif
#if __has_include("mistakes/10_sync_bn.inc")
#include "mistakes/10_sync_bn.inc"
#endif
#if __has_include("mistakes/11_frozen_bn.inc")
#include "mistakes/11_frozen_bn.inc"
#endif
  };
  auto it = catalogue.find(id);
  return it == catalogue.end() ? std::string() : it->second;
}

/// What the student reads when the runner names mistake `id`:
/// "Looks like a known mistake [id]: <sentence>".
inline std::string mistake_sentence(const std::string& id) {
  return "Looks like a known mistake [" + id + "]: " + describe_mistake(id);
}

/// The marker line of one comparison: the ids whose fingerprints it had and the ids the
/// wrong answer matched (a subset). No newline.
std::string diagnosis_marker(const std::vector<std::string>& available,
                             const std::vector<std::string>& matched);

/// For a check that recognises mistake `id` directly (running_var is all zeros, an eval call
/// changed a buffer): the marker of a comparison that had that one fingerprint and matched
/// it. Put it on a line of its own in the failure message; the runner turns it into the
/// sentence when the rest of the test agrees.
std::string looks_like(const std::string& id);

}  // namespace bnkit::grader
