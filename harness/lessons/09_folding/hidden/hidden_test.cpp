// Lesson 09 hidden tests (instructor mode): layers drawn fresh from the run's seed. Expected
// values come from the reference solution (the oracle) and from the trusted side's own
// Linear-then-BatchNorm in eval mode, so an answer fitted to the visible cases earns nothing.
#include "folding.hpp"
#include "hidden.hpp"
#include "hidden_cases.hpp"
#include "lesson_test.hpp"

#include <cmath>
#include <string>

namespace {

using bnkit::FoldedConv2d;
using bnkit::FoldedLinear;
using bnkit::Index;
using bnkit::Tensor;
using bnkit::TrainedBatchNorm;
using bnkit::grader::Origin;
using bnkit::grader::Tolerance;
using bnkit::grader::case_seed;
using bnkit::grader::hidden_case;
using bnkit::grader::tensors_match;
using bnkit::grader::kFoldedBias;
using bnkit::grader::kFoldedProduct;

Tensor vec(const Eigen::VectorXd& v) { return bnkit::grader::to_tensor(v); }

struct Draws : bnkit::grader::Draw {
  using Draw::Draw;
  /// A trained BatchNorm of out channels: running_var 1e-4..10, running_mean around `loc`.
  TrainedBatchNorm bn(Index out, bool affine, double loc) {
    TrainedBatchNorm b;
    if (affine) {
      b.gamma = gamma(out);
      b.beta = beta(out);
    }
    b.running_mean.resize(out);
    b.running_var.resize(out);
    for (Index o = 0; o < out; ++o) {
      b.running_mean[o] = loc + 2.0 * normal();
      b.running_var[o] = log_uniform(1e-4, 10.0);
    }
    b.eps = eps();
    return b;
  }
  Eigen::MatrixXd normal_matrix(Index r, Index c) {
    Eigen::MatrixXd m(r, c);
    for (Index i = 0; i < m.size(); ++i) m.data()[i] = normal();
    return m;
  }
};

/// The trusted side's eval-mode BatchNorm of z = x W^T + b.
Eigen::MatrixXd unfolded(const Eigen::MatrixXd& x, const Eigen::MatrixXd& w, const Eigen::VectorXd& b,
                         const TrainedBatchNorm& bn) {
  Eigen::MatrixXd y = x * w.transpose();
  for (Index o = 0; o < w.rows(); ++o) {
    const double g = bn.gamma.size() ? bn.gamma[o] : 1.0, be = bn.beta.size() ? bn.beta[o] : 0.0;
    const double bias = b.size() ? b[o] : 0.0;
    y.col(o) = ((y.col(o).array() + bias - bn.running_mean[o]) / std::sqrt(bn.running_var[o] + bn.eps) * g + be)
                   .matrix();
  }
  return y;
}

}  // namespace

// Catches: s on the wrong axis (out != in here, and square layers too), eps misplaced, the
// bias rule wrong in any way (no running_mean, unscaled, no beta, the bias ignored), an
// empty bias or empty gamma/beta mishandled, and hard-coded shapes.
BNKIT_HIDDEN_TEST(HiddenFolding, RandomLinearLayers, 3) {
  for (int k = 0; k < 8; ++k) {
    const std::uint64_t seed = case_seed(91, k);
    Draws d(seed);
    const Index out = d.integer(1, 9), in = k % 4 == 1 ? out : d.integer(1, 9), n = d.integer(1, 6);
    const double loc = k % 3 == 2 ? d.sign() * 1e4 : 0.0;
    const TrainedBatchNorm bn = d.bn(out, k % 4 != 3, loc);
    const Eigen::MatrixXd w = d.normal_matrix(out, in), x = d.normal_matrix(n, in);
    Eigen::VectorXd b;
    if (k % 2 == 0) b = bn.running_mean + Eigen::VectorXd(d.normal_matrix(out, 1));
    const std::string name = "linear_" + std::to_string(out) + "x" + std::to_string(in) + (b.size() ? "" : "_no_bias") +
                             (bn.gamma.size() ? "" : "_no_affine");
    hidden_case(name, seed, [&] {
      const FoldedLinear want = bnkit::grader::with_oracle([&] { return bnkit::fold_linear_bn(w, b, bn); });
      const FoldedLinear got = bnkit::fold_linear_bn(w, b, bn);
      const Origin ref{"the reference solution (hidden case)", name, seed};
      const Tolerance tol = kFoldedBias;
      EXPECT_TRUE(tensors_match("folded weight", bnkit::grader::to_tensor(got.weight),
                                bnkit::grader::to_tensor(want.weight), Tolerance::forward(), ref));
      EXPECT_TRUE(tensors_match("folded bias", vec(got.bias), vec(want.bias), tol, ref));
      if (got.weight.rows() == out && got.weight.cols() == in && got.bias.size() == out) {
        Eigen::MatrixXd y = x * got.weight.transpose();
        y.rowwise() += got.bias.transpose();
        const Origin inv{"Linear then BatchNorm in eval mode (trusted side)", name, seed};
        EXPECT_TRUE(tensors_match("x W'^T + b'", bnkit::grader::to_tensor(y),
                                  bnkit::grader::to_tensor(unfolded(x, w, b, bn)), kFoldedProduct, inv));
      }
    });
  }
}

// Catches: conv filters scaled along the input-channel axis or element-wise, a wrong block
// size, and the bias rules above, on kernels of every shape.
BNKIT_HIDDEN_TEST(HiddenFolding, RandomConvLayers, 2) {
  for (int k = 0; k < 6; ++k) {
    const std::uint64_t seed = case_seed(92, k);
    Draws d(seed);
    const Index out = d.integer(1, 6), in = k % 3 == 0 ? out : d.integer(1, 5);
    const Index kh = d.integer(1, 4), kw = d.integer(1, 4);
    const TrainedBatchNorm bn = d.bn(out, k != 4, k == 5 ? 1e4 : 0.0);
    Tensor w({out, in, kh, kw});
    w.values() = d.normal_matrix(w.numel(), 1);
    Eigen::VectorXd b;
    if (k % 2 == 1) b = bn.running_mean + Eigen::VectorXd(d.normal_matrix(out, 1));
    const std::string name = "conv_" + bnkit::shape_string(w.shape());
    hidden_case(name, seed, [&] {
      const FoldedConv2d want = bnkit::grader::with_oracle([&] { return bnkit::fold_conv_bn(w, b, bn); });
      const FoldedConv2d got = bnkit::fold_conv_bn(w, b, bn);
      const Origin ref{"the reference solution (hidden case)", name, seed};
      EXPECT_TRUE(tensors_match("folded weight", got.weight, want.weight, Tolerance::forward(), ref));
      EXPECT_TRUE(tensors_match("folded bias", vec(got.bias), vec(want.bias), kFoldedBias, ref));
    });
  }
}

// Catches: the eval branch using batch statistics (or the batch variance), the train branch
// using running ones, eps misplaced, and the bias not cancelling in train mode.
BNKIT_HIDDEN_TEST(HiddenFolding, LinearThenBatchNormBothModes, 2) {
  for (int k = 0; k < 6; ++k) {
    const std::uint64_t seed = case_seed(93, k);
    Draws d(seed);
    const Index out = d.integer(1, 7), in = d.integer(1, 7), n = d.integer(2, 12);
    TrainedBatchNorm bn = d.bn(out, k % 3 != 2, 0.0);
    bn.training = k % 2 == 1;
    const Eigen::MatrixXd w = d.normal_matrix(out, in);
    const Eigen::MatrixXd x = d.batch(n, in, 0.1, 10.0, 0.3, 3.0);
    Eigen::VectorXd b;
    if (k != 3) b = Eigen::VectorXd(d.normal_matrix(out, 1));
    const std::string name = std::string(bn.training ? "train_" : "eval_") + std::to_string(n) + "x" +
                             std::to_string(in) + "_to_" + std::to_string(out);
    hidden_case(name, seed, [&] {
      const Eigen::MatrixXd want = bnkit::grader::with_oracle([&] { return bnkit::linear_bn_forward(x, w, b, bn); });
      const Eigen::MatrixXd got = bnkit::linear_bn_forward(x, w, b, bn);
      const Origin ref{"the reference solution (hidden case)", name, seed};
      EXPECT_TRUE(tensors_match("y", bnkit::grader::to_tensor(got), bnkit::grader::to_tensor(want),
                                Tolerance::gradient(), ref));
      if (!bn.training) {
        const Origin inv{"Linear then BatchNorm in eval mode (trusted side)", name, seed};
        EXPECT_TRUE(tensors_match("y", bnkit::grader::to_tensor(got), bnkit::grader::to_tensor(unfolded(x, w, b, bn)),
                                  Tolerance::gradient(), inv));
      }
    });
  }
}

// Catches: missing or misordered checks and wrong messages. One problem per call.
BNKIT_HIDDEN_TEST(HiddenFolding, BadInputThrowsLikeReference, 1) {
  for (int k = 0; k < 8; ++k) {
    const std::uint64_t seed = case_seed(94, k);
    Draws d(seed);
    const Index out = d.integer(2, 6), in = d.integer(1, 5);
    TrainedBatchNorm bn = d.bn(out, true, 0.0);
    Eigen::MatrixXd w = d.normal_matrix(out, in);
    Eigen::VectorXd b = Eigen::VectorXd(d.normal_matrix(out, 1));
    const Index wrong = out + d.integer(1, 3);
    std::string name;
    switch (k) {
      case 0: bn.training = true; b.resize(wrong); name = "train_mode_and_bad_bias"; break;
      case 1: b = Eigen::VectorXd::Ones(wrong); name = "bias"; break;
      case 2: bn.running_mean = Eigen::VectorXd::Ones(wrong); name = "running_mean"; break;
      case 3: bn.running_var = Eigen::VectorXd::Ones(wrong); name = "running_var"; break;
      case 4: bn.beta.resize(0); name = "beta_missing"; break;
      case 5: bn.gamma = Eigen::VectorXd::Ones(wrong); name = "gamma"; break;
      case 6: b.resize(0); bn.gamma.resize(0); bn.beta.resize(0); name = "valid_bare"; break;
      default: name = "valid"; break;
    }
    hidden_case(name, seed, [&] {
      using bnkit::grader::run_on_both;
      EXPECT_TRUE(run_on_both([&] { bnkit::fold_linear_bn(w, b, bn); }).alike("fold_linear_bn (" + name + ")"));
      Tensor w4({out, in, 1, 1});
      w4.values() = Eigen::Map<const Eigen::VectorXd>(w.data(), w.size());
      EXPECT_TRUE(run_on_both([&] { bnkit::fold_conv_bn(w4, b, bn); }).alike("fold_conv_bn (" + name + ")"));
    });
  }
}
