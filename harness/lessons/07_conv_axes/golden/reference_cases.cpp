#include "conv_axes.hpp"
#include "layer_sequences.hpp"
#include "random.hpp"
#include "reference_cases.hpp"

#include <string>
#include <vector>

void bnkit::golden::write_reference_cases(grader::CaseWriter& out) {
  // Every call with values also gets a random dy and the reference's backward (dx, dgamma,
  // dbeta), and a batch-statistics call the statistics it saved.
  const std::vector<LayerSequence> sequences = {
      {"long_sequence", 5, true, true, 701,
       {{true, {4, 5, 3, 2}}, {true, {1, 5, 2, 1}}, {true, {3, 5, 1, 4}}, {false, {1, 5, 1, 1}}, {false, {2, 5, 3, 3}}}},
      {"many_channels", 32, true, true, 702, {{true, {2, 32, 2, 2}}, {false, {3, 32, 1, 2}}}},
      {"untracked_plain", 2, false, false, 703, {{true, {3, 2, 2, 2}}, {false, {2, 2, 1, 3}}}},
      {"tall_and_wide", 3, true, true, 704, {{true, {2, 3, 7, 1}}, {true, {2, 3, 1, 7}}, {false, {1, 3, 7, 1}}}},
      // Momentum 0 (the buffers never move, the counter does) and 1 (the buffers are the
      // last batch's statistics).
      {"momentum_0", 3, true, true, 705, {{true, {2, 3, 2, 2}}, {true, {1, 3, 3, 1}}, {false, {2, 3, 1, 1}}}, "0",
       1.5, 2.0, "MomentumZeroAndOne"},
      {"momentum_1", 3, true, true, 706, {{true, {3, 3, 1, 2}}, {true, {2, 3, 2, 3}}, {false, {1, 3, 2, 2}}}, "1",
       1.5, 2.0, "MomentumZeroAndOne"},
      // Values near 1e5 and -8e4 with a spread near 1, where E[x^2] - E[x]^2 loses the
      // variance's digits, in train mode and, through the buffers, in eval mode.
      {"offset_momentum_none", 4, true, true, 707,
       {{true, {4, 4, 2, 2}}, {true, {2, 4, 3, 2}}, {true, {1, 4, 4, 3}}, {false, {2, 4, 2, 2}}, {false, {1, 4, 1, 1}}},
       "none", 1e5, 1.0, "StableAtLargeOffset"},
      {"offset_momentum_1", 6, true, true, 708, {{true, {3, 6, 2, 4}}, {true, {2, 6, 2, 2}}, {false, {3, 6, 1, 2}}},
       "1", -8e4, 0.7, "StableAtLargeOffset"},
  };  write_layer_sequences<BatchNorm2d>(
      out, sequences,
      [](grader::CaseWriter& w, BatchNorm2d& layer, const LayerSequence& q, std::size_t k, const Tensor& x) {
        const std::string s = "." + std::to_string(k);
        Tensor dy(x.shape());
        dy.values() = grader::random_normal(dy.numel(), 1, q.seed * 100 + 50 + k, 0.0, 1.0);
        const BatchNorm2dGrads grads = layer.backward(dy, x);
        if (q.calls[k - 1].train || !q.track) {
          w.vector("save_mean" + s, layer.save_mean);
          w.vector("save_rstd" + s, layer.save_rstd);
        }
        w.tensor("dy" + s, dy);
        w.tensor("dx" + s, grads.dx);
        if (q.affine) {
          w.vector("dgamma" + s, grads.dgamma);
          w.vector("dbeta" + s, grads.dbeta);
        }
      });
}
