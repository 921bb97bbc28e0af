#include "eval_mode.hpp"
#include "layer_sequences.hpp"
#include "reference_cases.hpp"

#include <vector>

void bnkit::golden::write_reference_cases(grader::CaseWriter& out) {
  const std::vector<LayerSequence> sequences = {
      {"ncl_long_sequence", 5, true, true, 401,
       {{true, {8, 5, 7}}, {true, {2, 5, 1}}, {true, {3, 5, 4}}, {false, {1, 5, 7}}, {false, {6, 5, 2}}}},
      {"nc_wide", 64, true, true, 402, {{true, {16, 64}}, {false, {3, 64}}}},
      {"ncl_untracked_plain", 2, false, false, 403, {{true, {3, 2, 5}}, {false, {2, 2, 3}}}},
      // Momentum 0 (the buffers never move, the counter does) and 1 (the buffers are the
      // last batch's statistics).
      {"momentum_0", 3, true, true, 404, {{true, {6, 3, 2}}, {true, {4, 3}}, {false, {3, 3}}}, "0", 1.5, 2.0,
       "MomentumZeroAndOne"},
      {"momentum_1", 3, true, true, 405, {{true, {5, 3, 2}}, {true, {3, 3, 4}}, {false, {2, 3, 2}}}, "1", 1.5, 2.0,
       "MomentumZeroAndOne"},
      // Values near 1e5 and -8e4 with a spread near 1, where E[x^2] - E[x]^2 loses the
      // variance's digits, in train mode and, through the buffers, in eval mode.
      {"offset_ncl_momentum_none", 4, true, true, 406,
       {{true, {16, 4, 3}}, {true, {8, 4, 5}}, {true, {12, 4, 2}}, {false, {5, 4, 3}}, {false, {1, 4, 4}}},
       "none", 1e5, 1.0, "StableAtLargeOffset"},
      {"offset_nc_momentum_1", 6, true, true, 407, {{true, {24, 6}}, {true, {10, 6}}, {false, {7, 6}}}, "1", -8e4,
       0.7, "StableAtLargeOffset"},
  };  write_layer_sequences<BatchNorm1d>(out, sequences);
}
