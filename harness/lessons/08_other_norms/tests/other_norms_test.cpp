// Lesson 08 tests: LayerNorm, GroupNorm and RMSNorm, forward and backward, batch
// independence and the GroupNorm identities.
#include "other_norms.hpp"
#include "compare_scalar.hpp"
#include "gradient_check.hpp"
#include "lesson_test.hpp"

#include "bnkit/todo.hpp"

#include <cmath>
#include <string>
#include <vector>

namespace {

using bnkit::GroupNormGrads;
using bnkit::Index;
using bnkit::LayerNormGrads;
using bnkit::RmsNormGrads;
using bnkit::Tensor;
using bnkit::grader::accepts;
using bnkit::grader::Case;
using bnkit::grader::for_each_case;
using bnkit::grader::matches_case;
using bnkit::grader::Origin;
using bnkit::grader::Tolerance;
using bnkit::grader::tensors_match;
using bnkit::grader::throws_invalid_argument;
using bnkit::grader::kHandChecked;

const char* kLesson = "08_other_norms";

const Case& torch_case(const std::string& name) { return bnkit::grader::torch_cases(kLesson).at(name); }

/// The golden cases whose name starts with `prefix` ("ln_", "gn_", "rms_").
std::vector<Case> cases_of(const std::string& prefix) {
  std::vector<Case> out;
  for (const Case& c : bnkit::grader::torch_cases(kLesson).cases()) {
    if (c.name().rfind(prefix, 0) == 0) out.push_back(c);
  }
  return out;
}

Index groups_of(const Case& c) { return static_cast<Index>(c.scalar("num_groups")); }

Tensor random_tensor(std::vector<Index> shape, std::uint64_t seed, double offset = 0.0, double scale = 1.0) {
  Tensor x(std::move(shape));
  x.values() = bnkit::grader::random_normal(x.numel(), 1, seed, offset, scale);
  return x;
}

Tensor filled(std::vector<Index> shape, double value) {
  Tensor t(std::move(shape));
  t.values().setConstant(value);
  return t;
}

/// Sample n of a tensor (its values n*S .. (n+1)*S - 1) as a tensor of shape (1, ...).
Tensor sample(const Tensor& x, Index n) {
  std::vector<Index> shape = x.shape();
  shape[0] = 1;
  const Index s = x.numel() / x.dim(0);
  return Tensor(shape, x.values().segment(n * s, s));
}

/// x with every sample but the first replaced by wildly different values (offset 50,
/// spread 30): a layer that looks across the batch changes sample 0's output.
Tensor others_changed(const Tensor& x, std::uint64_t seed) {
  Tensor z = random_tensor(x.shape(), seed, 50.0, 30.0);
  const Index s = x.numel() / x.dim(0);
  z.values().head(s) = x.values().head(s);
  return z;
}

/// Train-mode BatchNorm (statistics per feature over the batch, no affine) of an (N, D)
/// tensor, computed here on the trusted side: the layer that FAILS batch independence.
Tensor batch_norm_rows(const Tensor& x) {
  Tensor y(x.shape());
  const Index n = x.dim(0), d = x.dim(1);
  for (Index j = 0; j < d; ++j) {
    double mean = 0, var = 0;
    for (Index i = 0; i < n; ++i) mean += x(i, j) / static_cast<double>(n);
    for (Index i = 0; i < n; ++i) var += (x(i, j) - mean) * (x(i, j) - mean) / static_cast<double>(n);
    for (Index i = 0; i < n; ++i) y(i, j) = (x(i, j) - mean) / std::sqrt(var + 1e-5);
  }
  return y;
}

}  // namespace

// ------------------------------------------------------------------------------ LayerNorm

BNKIT_TEST(LayerNorm, MatchesPyTorch, 2) {
  // (N, D), (N, C, L) over L, over the last two axes, and over (C, H, W).
  for_each_case(cases_of("ln_"), [](const Case& c) {
    const Tensor y = bnkit::layer_norm(c.tensor("x"), c.tensor("weight"), c.tensor("bias"), c.scalar("eps"));
    EXPECT_TRUE(matches_case("y", y, c, "y"));
  });
}

BNKIT_TEST(LayerNorm, HandCheckedNumbers, 1) {
  // README: rows [1, 2, 3, 4] and [10, 20, 30, 40] (eps = 0) have means 2.5 and 25 and
  // variances 1.25 and 125; both normalise to [-3, -1, 1, 3] / sqrt(5): LayerNorm forgets a
  // sample's scale. Weight [1, 2, 1, 2], bias [0, 0, 1, 1].
  const Tensor x({2, 4}, (Eigen::VectorXd(8) << 1, 2, 3, 4, 10, 20, 30, 40).finished());
  const Tensor weight({4}, Eigen::Vector4d(1, 2, 1, 2));
  const Tensor bias({4}, Eigen::Vector4d(0, 0, 1, 1));
  const double r5 = std::sqrt(5.0);
  const Eigen::Vector4d row(-3 / r5, -2 / r5, 1 / r5 + 1, 6 / r5 + 1);
  const Tensor want({2, 4}, (Eigen::VectorXd(8) << row, row).finished());
  EXPECT_TRUE(tensors_match("y", bnkit::layer_norm(x, weight, bias, 0.0), want, kHandChecked,
                            {"hand-checked (lesson 08 README)", "", std::nullopt}));
}

BNKIT_TEST(LayerNorm, RejectsBadShapes, 1) {
  const Tensor w4 = filled({4}, 1.0), b4 = filled({4}, 0.0);
  EXPECT_TRUE(accepts([&] { bnkit::layer_norm(random_tensor({2, 4}, 801), w4, b4, 1e-5); }, "a (2, 4) input"));
  EXPECT_TRUE(accepts([&] { bnkit::layer_norm(random_tensor({4}, 802), w4, b4, 1e-5); }, "a (4) input (no batch)"));
  EXPECT_TRUE(throws_invalid_argument([&] { bnkit::layer_norm(Tensor({2, 3}), w4, b4, 1e-5); },
                                      "Given normalized_shape=[4], expected input with shape [*, 4], but got input "
                                      "of size[2, 3]"));
  const Tensor w45 = filled({4, 5}, 1.0), b45 = filled({4, 5}, 0.0);
  EXPECT_TRUE(throws_invalid_argument([&] { bnkit::layer_norm(Tensor({2, 3, 5}), w45, b45, 1e-5); },
                                      "Given normalized_shape=[4, 5], expected input with shape [*, 4, 5], but got "
                                      "input of size[2, 3, 5]"));
  EXPECT_TRUE(throws_invalid_argument([&] { bnkit::layer_norm(Tensor({5}), w45, b45, 1e-5); },
                                      "Given normalized_shape=[4, 5], expected input with shape [*, 4, 5], but got "
                                      "input of size[5]"));
  EXPECT_TRUE(throws_invalid_argument([&] { bnkit::layer_norm(Tensor({2, 3}), w4, filled({3}, 0.0), 1e-5); },
                                      "bias should have shape [4] not [3]"));
  EXPECT_TRUE(throws_invalid_argument([&] { bnkit::rms_norm(Tensor({2, 3}), w4, 1e-6); },
                                      "Given normalized_shape=[4], expected input with shape [*, 4], but got input "
                                      "of size[2, 3]"));
}

BNKIT_TEST(LayerNormBackward, MatchesPyTorch, 2) {
  for_each_case(cases_of("ln_"), [](const Case& c) {
    const LayerNormGrads g = bnkit::layer_norm_backward(c.tensor("dy"), c.tensor("x"), c.tensor("weight"),
                                                        c.scalar("eps"));
    const Tolerance tol = Tolerance::gradient();
    EXPECT_TRUE(matches_case("dx", g.dx, c, "dx", tol));
    EXPECT_TRUE(matches_case("dweight", g.dweight, c, "dweight", tol));
    EXPECT_TRUE(matches_case("dbias", g.dbias, c, "dbias", tol));
  });
}

BNKIT_TEST(LayerNormBackward, CentralDifferences, 1) {
  // dx and dweight against central differences of the code's own layer_norm.
  const std::uint64_t seed = 805;
  const Tensor x = random_tensor({2, 3, 2}, seed, 1.0, 2.0), dy = random_tensor({2, 3, 2}, seed + 1);
  const Tensor w = random_tensor({3, 2}, seed + 2, 1.0, 0.3), b = random_tensor({3, 2}, seed + 3);
  const double h = 1e-5, eps = 1e-3;
  const LayerNormGrads g = bnkit::layer_norm_backward(dy, x, w, eps);
  using bnkit::grader::numerical_gradient;
  const Tensor ndx = numerical_gradient([&](const Tensor& xp) { return bnkit::grader::dot(dy, bnkit::layer_norm(xp, w, b, eps)); }, x, h);
  const Tensor ndw = numerical_gradient([&](const Tensor& wp) { return bnkit::grader::dot(dy, bnkit::layer_norm(x, wp, b, eps)); }, w, h);
  const Tolerance tol = bnkit::grader::gradient_check_tolerance();
  EXPECT_TRUE(tensors_match("dx", g.dx, ndx, tol, bnkit::grader::central_differences_origin(h, seed, "layer_norm")));
  EXPECT_TRUE(tensors_match("dweight", g.dweight, ndw, tol,
                            bnkit::grader::central_differences_origin(h, seed, "layer_norm")));
}

// ------------------------------------------------------------------------------ GroupNorm

BNKIT_TEST(GroupNorm, MatchesPyTorch, 2) {
  // (N,C,H,W), (N,C,L), (N,C) and 4 groups of 2: groups are blocks of channels.
  for_each_case(cases_of("gn_"), [](const Case& c) {
    const Tensor y =
        bnkit::group_norm(c.tensor("x"), groups_of(c), c.vector("weight"), c.vector("bias"), c.scalar("eps"));
    EXPECT_TRUE(matches_case("y", y, c, "y"));
  });
}

BNKIT_TEST(GroupNorm, Identities, 2) {
  // GroupNorm(1, C) is LayerNorm over (C, H, W) with the per-channel weight spread over H
  // and W; GroupNorm(C, C) is InstanceNorm. Both from PyTorch's own LayerNorm and InstanceNorm.
  const Case& c = torch_case("identities");
  const Tensor& x = c.tensor("x");
  const Eigen::VectorXd w = c.vector("weight"), b = c.vector("bias");
  const double eps = c.scalar("eps");
  EXPECT_TRUE(tensors_match("GroupNorm(1, C)", bnkit::group_norm(x, 1, w, b, eps), c.tensor("layer_norm_y"),
                            Tolerance::forward(), {"PyTorch's layer_norm over (C, H, W)", c.name(), std::nullopt}));
  EXPECT_TRUE(tensors_match("GroupNorm(C, C)", bnkit::group_norm(x, x.dim(1), w, b, eps),
                            c.tensor("instance_norm_y"), Tolerance::forward(),
                            {"PyTorch's instance_norm", c.name(), std::nullopt}));
  // And the code's own layer_norm agrees with its group_norm(1, C).
  Tensor spread_w({x.dim(1), x.dim(2), x.dim(3)}), spread_b(spread_w.shape());
  const Index hw = x.dim(2) * x.dim(3);
  for (Index ch = 0; ch < x.dim(1); ++ch) {
    spread_w.values().segment(ch * hw, hw).setConstant(w[ch]);
    spread_b.values().segment(ch * hw, hw).setConstant(b[ch]);
  }
  EXPECT_TRUE(tensors_match("layer_norm over (C, H, W)", bnkit::layer_norm(x, spread_w, spread_b, eps),
                            c.tensor("layer_norm_y"), Tolerance::forward(),
                            {"PyTorch's layer_norm over (C, H, W)", c.name(), std::nullopt}));
}

BNKIT_TEST(GroupNorm, RejectsBadInput, 1) {
  const Eigen::VectorXd w6 = Eigen::VectorXd::Ones(6), b6 = Eigen::VectorXd::Zero(6);
  const Tensor x = random_tensor({2, 6, 3}, 811);
  const char* kDivisible = "num_channels must be divisible by num_groups";
  for (const Index groups : {1, 2, 3, 6}) {
    EXPECT_TRUE(accepts([&] { bnkit::group_norm(x, groups, w6, b6, 1e-5); },
                        "GroupNorm(" + std::to_string(groups) + ", 6) on a (2, 6, 3) input"));
  }
  for (const Index groups : {4, 5, 7, 12, 0}) {
    SCOPED_TRACE("num_groups = " + std::to_string(groups) + ", 6 channels");
    EXPECT_TRUE(throws_invalid_argument([&] { bnkit::group_norm(x, groups, w6, b6, 1e-5); }, kDivisible));
  }
  EXPECT_TRUE(throws_invalid_argument([&] { bnkit::group_norm(x, 2, w6, Eigen::VectorXd::Zero(4), 1e-5); },
                                      "bias should contain 6 elements not 4"));
  EXPECT_TRUE(throws_invalid_argument([&] { bnkit::group_norm(Tensor({6}), 2, w6, b6, 1e-5); },
                                      "expected at least 2D input (got 1D input)"));
  EXPECT_TRUE(throws_invalid_argument([&] { bnkit::group_norm(Tensor({2, 4, 3}), 2, w6, b6, 1e-5); },
                                      "expected 6 channels (dim 1), got input size [2, 4, 3]"));
  EXPECT_TRUE(throws_invalid_argument([&] { bnkit::group_norm_backward(Tensor({2, 6}), x, 2, w6, 1e-5); },
                                      "dy should have shape [2, 6, 3] not [2, 6]"));
}

BNKIT_TEST(GroupNormBackward, MatchesPyTorch, 2) {
  for_each_case(cases_of("gn_"), [](const Case& c) {
    const GroupNormGrads g =
        bnkit::group_norm_backward(c.tensor("dy"), c.tensor("x"), groups_of(c), c.vector("weight"), c.scalar("eps"));
    const Tolerance tol = Tolerance::gradient();
    EXPECT_TRUE(matches_case("dx", g.dx, c, "dx", tol));
    EXPECT_TRUE(matches_case("dweight", g.dweight, c, "dweight", tol));
    EXPECT_TRUE(matches_case("dbias", g.dbias, c, "dbias", tol));
  });
}

// -------------------------------------------------------------------------------- RMSNorm

BNKIT_TEST(RMSNorm, MatchesFormula, 1) {
  // PyTorch 2.4's definition, computed in float64 by the generator (PyTorch 1.13 has none).
  for_each_case(cases_of("rms_"), [](const Case& c) {
    EXPECT_TRUE(matches_case("y", bnkit::rms_norm(c.tensor("x"), c.tensor("weight"), c.scalar("eps")), c, "y"));
  });
}

BNKIT_TEST(RMSNormBackward, MatchesAutograd, 1) {
  for_each_case(cases_of("rms_"), [](const Case& c) {
    const RmsNormGrads g = bnkit::rms_norm_backward(c.tensor("dy"), c.tensor("x"), c.tensor("weight"), c.scalar("eps"));
    EXPECT_TRUE(matches_case("dx", g.dx, c, "dx", Tolerance::gradient()));
    EXPECT_TRUE(matches_case("dweight", g.dweight, c, "dweight", Tolerance::gradient()));
  });
}

// ------------------------------------------------------------------------ all three norms

BNKIT_TEST(Norms, SampleIgnoresRestOfBatch, 2) {
  // Batch independence: sample 0's output is the same alone, in its batch, and in a batch
  // whose other samples are replaced. Train-mode BatchNorm fails this (premise below).
  const Tensor x = random_tensor({4, 6}, 820, 1.0, 2.0), z = others_changed(x, 821);
  ASSERT_FALSE(tensors_match("premise: BatchNorm's sample 0", sample(batch_norm_rows(z), 0),
                             sample(batch_norm_rows(x), 0), Tolerance::forward(), {"the test", "", 820}))
      << "the changed batch should move BatchNorm's output of sample 0";
  const Origin same{"the same sample in another batch (batch independence)", "", 820};
  const Tensor w = random_tensor({6}, 822, 1.0, 0.5), b = random_tensor({6}, 823);
  const Eigen::VectorXd wc = w.values(), bc = b.values();
  auto check = [&](const std::string& what, auto&& f) {
    const Tensor in_batch = sample(f(x), 0);
    EXPECT_TRUE(tensors_match(what + ", sample 0 with the rest of the batch changed", sample(f(z), 0), in_batch,
                              kHandChecked, same));
    EXPECT_TRUE(tensors_match(what + ", sample 0 alone (a batch of one)", f(sample(x, 0)), in_batch, kHandChecked, same));
  };
  check("layer_norm", [&](const Tensor& t) { return bnkit::layer_norm(t, w, b, 1e-5); });
  check("group_norm(2 groups)", [&](const Tensor& t) { return bnkit::group_norm(t, 2, wc, bc, 1e-5); });
  check("rms_norm", [&](const Tensor& t) { return bnkit::rms_norm(t, w, 1e-6); });
}

BNKIT_TEST(Norms, EmptyBatch, 1) {
  // No samples: an empty output of x's shape, zero parameter gradients.
  const Tensor x({0, 4, 2}), w = filled({4, 2}, 1.0), b = filled({4, 2}, 0.0);
  const Origin contract{"the contract: an input with no values", "", std::nullopt};
  EXPECT_TRUE(tensors_match("layer_norm", bnkit::layer_norm(x, w, b, 1e-5), x, kHandChecked, contract));
  EXPECT_TRUE(tensors_match("rms_norm", bnkit::rms_norm(x, w, 1e-5), x, kHandChecked, contract));
  EXPECT_TRUE(tensors_match("group_norm", bnkit::group_norm(x, 2, Eigen::VectorXd::Ones(4), Eigen::VectorXd::Zero(4), 1e-5),
                            x, kHandChecked, contract));
  const LayerNormGrads g = bnkit::layer_norm_backward(x, x, w, 1e-5);
  EXPECT_TRUE(tensors_match("layer_norm_backward dx", g.dx, x, kHandChecked, contract));
  EXPECT_TRUE(tensors_match("layer_norm_backward dweight", g.dweight, b, kHandChecked, contract));
  EXPECT_TRUE(tensors_match("layer_norm_backward dbias", g.dbias, b, kHandChecked, contract));
  const GroupNormGrads gg = bnkit::group_norm_backward(x, x, 2, Eigen::VectorXd::Ones(4), 1e-5);
  EXPECT_TRUE(tensors_match("group_norm_backward dweight", bnkit::grader::to_tensor(gg.dweight),
                            bnkit::grader::to_tensor(Eigen::VectorXd(Eigen::VectorXd::Zero(4))), kHandChecked, contract));
}

BNKIT_TEST(Norms, ReferenceRandomizedCases, 1) {
  // Larger, offset inputs (a LayerNorm row near 1e3, GroupNorm of rank 5 and of one channel
  // per group), expected values from the reference solution.
  for_each_case(bnkit::grader::reference_cases(kLesson).cases(), [](const Case& c) {
    const std::string& kind = c.text("kind");
    const Tensor& x = c.tensor("x");
    const Tensor& dy = c.tensor("dy");
    const double eps = c.scalar("eps");
    const Tolerance tol = Tolerance::gradient();
    if (kind == "group") {
      EXPECT_TRUE(matches_case("y", bnkit::group_norm(x, groups_of(c), c.vector("weight"), c.vector("bias"), eps), c, "y"));
      const GroupNormGrads g = bnkit::group_norm_backward(dy, x, groups_of(c), c.vector("weight"), eps);
      EXPECT_TRUE(matches_case("dx", g.dx, c, "dx", tol));
      EXPECT_TRUE(matches_case("dweight", g.dweight, c, "dweight", tol));
      EXPECT_TRUE(matches_case("dbias", g.dbias, c, "dbias", tol));
    } else if (kind == "layer") {
      EXPECT_TRUE(matches_case("y", bnkit::layer_norm(x, c.tensor("weight"), c.tensor("bias"), eps), c, "y"));
      const LayerNormGrads g = bnkit::layer_norm_backward(dy, x, c.tensor("weight"), eps);
      EXPECT_TRUE(matches_case("dx", g.dx, c, "dx", tol));
      EXPECT_TRUE(matches_case("dweight", g.dweight, c, "dweight", tol));
      EXPECT_TRUE(matches_case("dbias", g.dbias, c, "dbias", tol));
    } else {
      EXPECT_TRUE(matches_case("y", bnkit::rms_norm(x, c.tensor("weight"), eps), c, "y"));
      const RmsNormGrads g = bnkit::rms_norm_backward(dy, x, c.tensor("weight"), eps);
      EXPECT_TRUE(matches_case("dx", g.dx, c, "dx", tol));
      EXPECT_TRUE(matches_case("dweight", g.dweight, c, "dweight", tol));
    }
  });
}
