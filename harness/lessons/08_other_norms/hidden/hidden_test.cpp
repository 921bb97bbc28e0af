// Lesson 08 hidden tests (instructor mode): LayerNorm, GroupNorm and RMSNorm on shapes,
// group counts, epsilons and offsets drawn fresh from the run's seed; expected values from
// the reference solution (the oracle). Ranks 2-5, normalised shapes of 1-3 axes, groups of
// one channel and of all channels, batches of one: unlike the visible cases.
#include "other_norms.hpp"
#include "lesson_test.hpp"

#include "bnkit/todo.hpp"

#include <string>
#include <vector>

namespace {

using bnkit::GroupNormGrads;
using bnkit::Index;
using bnkit::LayerNormGrads;
using bnkit::RmsNormGrads;
using bnkit::Tensor;
using bnkit::grader::case_seed;
using bnkit::grader::hidden_case;
using bnkit::grader::Origin;
using bnkit::grader::run_on_both;
using bnkit::grader::Tolerance;
using bnkit::grader::tensors_match;
using bnkit::grader::with_oracle;

struct Draw : bnkit::grader::Draw {
  using bnkit::grader::Draw::Draw;
  Index size(Index lo, Index hi) { return integer(lo, hi); }
  Tensor values(const std::vector<Index>& shape, double offset, double scale) {
    Tensor t(shape);
    for (Index i = 0; i < t.numel(); ++i) t.values()[i] = offset + scale * normal();
    return t;
  }
  double epsilon() {
    const double choices[] = {1e-5, 1e-6, 1e-3, 0.1};
    return choices[integer(0, 3)];
  }
};

/// A batch (N, normalised axes...) of rank 2..4 and the normalised shape (1..3 trailing axes).
std::pair<std::vector<Index>, std::vector<Index>> draw_layer_shape(Draw& d) {
  const Index k = d.size(1, 3);
  std::vector<Index> normalized;
  for (Index i = 0; i < k; ++i) normalized.push_back(d.size(1, 5));
  if (normalized.size() == 1 && normalized[0] == 1) normalized[0] = 3;
  std::vector<Index> shape{d.size(1, 5)};
  if (d.chance(0.3)) shape.push_back(d.size(1, 3));  // an extra leading axis
  shape.insert(shape.end(), normalized.begin(), normalized.end());
  return {shape, normalized};
}

std::string shape_name(const std::vector<Index>& s) { return bnkit::shape_string(s); }

}  // namespace

// Catches: statistics over the wrong axes (across the batch, over the last axis only),
// unbiased variance, eps outside the root, weight/bias swapped or applied per row, and a
// backward without the statistics' terms or that sums dweight over the wrong axes.
BNKIT_HIDDEN_TEST(HiddenLayerNorm, RandomShapesMatchReference, 2) {
  for (int k = 0; k < 8; ++k) {
    const std::uint64_t seed = case_seed(81, k);
    Draw d(seed);
    const auto [shape, normalized] = draw_layer_shape(d);
    const Tensor x = d.values(shape, d.sign() * d.log_uniform(0.01, 100.0), d.log_uniform(0.1, 10.0));
    const Tensor w = d.values(normalized, 1.0, 0.5), b = d.values(normalized, 0.0, 1.0);
    const Tensor dy = d.values(shape, 0.0, 1.0);
    const double eps = d.epsilon();
    const std::string name = "layer_norm_" + shape_name(shape);
    hidden_case(name, seed, [&] {
      const Origin ref{"the reference solution (hidden case)", name, seed};
      const Tensor want = with_oracle([&] { return bnkit::layer_norm(x, w, b, eps); });
      EXPECT_TRUE(tensors_match("y", bnkit::layer_norm(x, w, b, eps), want, Tolerance::forward(), ref));
      const LayerNormGrads gw = with_oracle([&] { return bnkit::layer_norm_backward(dy, x, w, eps); });
      const LayerNormGrads g = bnkit::layer_norm_backward(dy, x, w, eps);
      EXPECT_TRUE(tensors_match("dx", g.dx, gw.dx, Tolerance::gradient(), ref));
      EXPECT_TRUE(tensors_match("dweight", g.dweight, gw.dweight, Tolerance::gradient(), ref));
      EXPECT_TRUE(tensors_match("dbias", g.dbias, gw.dbias, Tolerance::gradient(), ref));
    });
  }
}

// Catches: groups by stride, the affine per group or per element instead of per channel,
// L taken as H or W only, ranks other than 4 mishandled, G = 1 and G = C special-cased
// wrongly, and the backward's per-channel sums.
BNKIT_HIDDEN_TEST(HiddenGroupNorm, RandomShapesMatchReference, 2) {
  for (int k = 0; k < 8; ++k) {
    const std::uint64_t seed = case_seed(82, k);
    Draw d(seed);
    const Index groups = d.size(1, 4), per_group = d.size(1, 3), c = groups * per_group;
    std::vector<Index> shape{d.size(1, 4), c};
    const Index extra = k % 4;  // rank 2, 3, 4 or 5
    for (Index i = 0; i < extra; ++i) shape.push_back(d.size(1, 4));
    const Tensor x = d.values(shape, d.sign() * d.log_uniform(0.01, 100.0), d.log_uniform(0.1, 10.0));
    Eigen::VectorXd w(c), b(c);
    for (Index i = 0; i < c; ++i) {
      w[i] = 1.0 + 0.5 * d.normal();
      b[i] = d.normal();
    }
    const Tensor dy = d.values(shape, 0.0, 1.0);
    const double eps = d.epsilon();
    // Some units of a single value (C/G = 1 and L = 1) are fine: xhat = 0 there.
    const std::string name = "group_norm_" + std::to_string(groups) + "_groups_" + shape_name(shape);
    hidden_case(name, seed, [&] {
      const Origin ref{"the reference solution (hidden case)", name, seed};
      const Tensor want = with_oracle([&] { return bnkit::group_norm(x, groups, w, b, eps); });
      EXPECT_TRUE(tensors_match("y", bnkit::group_norm(x, groups, w, b, eps), want, Tolerance::forward(), ref));
      const GroupNormGrads gw = with_oracle([&] { return bnkit::group_norm_backward(dy, x, groups, w, eps); });
      const GroupNormGrads g = bnkit::group_norm_backward(dy, x, groups, w, eps);
      EXPECT_TRUE(tensors_match("dx", g.dx, gw.dx, Tolerance::gradient(), ref));
      EXPECT_TRUE(tensors_match("dweight", bnkit::grader::to_tensor(g.dweight), bnkit::grader::to_tensor(gw.dweight),
                                Tolerance::gradient(), ref));
      EXPECT_TRUE(tensors_match("dbias", bnkit::grader::to_tensor(g.dbias), bnkit::grader::to_tensor(gw.dbias),
                                Tolerance::gradient(), ref));
    });
  }
}

// Catches: a subtracted mean, eps outside the root, a bias-like shift, the wrong axes, and
// LayerNorm's backward reused for RMSNorm.
BNKIT_HIDDEN_TEST(HiddenRMSNorm, RandomShapesMatchReference, 2) {
  for (int k = 0; k < 8; ++k) {
    const std::uint64_t seed = case_seed(83, k);
    Draw d(seed);
    const auto [shape, normalized] = draw_layer_shape(d);
    const Tensor x = d.values(shape, d.sign() * d.log_uniform(0.01, 10.0), d.log_uniform(0.05, 10.0));
    const Tensor w = d.values(normalized, 1.0, 0.5), dy = d.values(shape, 0.0, 1.0);
    const double eps = d.epsilon();
    const std::string name = "rms_norm_" + shape_name(shape);
    hidden_case(name, seed, [&] {
      const Origin ref{"the reference solution (hidden case)", name, seed};
      const Tensor want = with_oracle([&] { return bnkit::rms_norm(x, w, eps); });
      EXPECT_TRUE(tensors_match("y", bnkit::rms_norm(x, w, eps), want, Tolerance::forward(), ref));
      const RmsNormGrads gw = with_oracle([&] { return bnkit::rms_norm_backward(dy, x, w, eps); });
      const RmsNormGrads g = bnkit::rms_norm_backward(dy, x, w, eps);
      EXPECT_TRUE(tensors_match("dx", g.dx, gw.dx, Tolerance::gradient(), ref));
      EXPECT_TRUE(tensors_match("dweight", g.dweight, gw.dweight, Tolerance::gradient(), ref));
    });
  }
}

// Catches: missing or misordered checks, wrong wording, a divisibility check that accepts
// what PyTorch refuses (or refuses what it accepts), and checks that throw on valid input.
BNKIT_HIDDEN_TEST(HiddenNorms, BadInputThrowsLikeReference, 2) {
  for (int k = 0; k < 12; ++k) {
    const std::uint64_t seed = case_seed(84, k);
    Draw d(seed);
    const std::string name = "checks_" + std::to_string(k);
    hidden_case(name, seed, [&] {
      const Index c = d.size(1, 12), groups = d.size(1, 12);
      const Index n = d.size(1, 3), l = d.size(1, 4);
      Eigen::VectorXd w = Eigen::VectorXd::Ones(c), b = Eigen::VectorXd::Zero(d.chance(0.8) ? c : c + 1);
      const Tensor x = d.values({n, d.chance(0.8) ? c : c + 2, l}, 0.0, 1.0);
      const Tensor dy(d.chance(0.8) ? x.shape() : std::vector<Index>{n, c});
      auto gn = [&] { bnkit::group_norm(x, groups, w, b, 1e-5); };
      auto gnb = [&] { bnkit::group_norm_backward(dy, x, groups, w, 1e-5); };
      EXPECT_TRUE(run_on_both(gn).alike("group_norm"));
      EXPECT_TRUE(run_on_both(gnb).alike("group_norm_backward"));
      const std::vector<Index> normalized{d.size(1, 4), d.size(1, 3)};
      std::vector<Index> shape{n, d.chance(0.7) ? normalized[0] : normalized[0] + 1, normalized[1]};
      if (d.chance(0.2)) shape = {normalized[1]};
      const Tensor lx = d.values(shape, 0.0, 1.0), lw = d.values(normalized, 1.0, 0.1);
      const Tensor lb = d.chance(0.8) ? d.values(normalized, 0.0, 1.0) : d.values({normalized[1]}, 0.0, 1.0);
      const Tensor ldy(d.chance(0.8) ? lx.shape() : std::vector<Index>{n});
      auto ln = [&] { bnkit::layer_norm(lx, lw, lb, 1e-5); };
      auto lnb = [&] { bnkit::layer_norm_backward(ldy, lx, lw, 1e-5); };
      auto rms = [&] { bnkit::rms_norm(lx, lw, 1e-5); };
      auto rmsb = [&] { bnkit::rms_norm_backward(ldy, lx, lw, 1e-5); };
      EXPECT_TRUE(run_on_both(ln).alike("layer_norm"));
      EXPECT_TRUE(run_on_both(lnb).alike("layer_norm_backward"));
      EXPECT_TRUE(run_on_both(rms).alike("rms_norm"));
      EXPECT_TRUE(run_on_both(rmsb).alike("rms_norm_backward"));
    });
  }
}
