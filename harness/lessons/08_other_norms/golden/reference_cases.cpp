// Lesson 08 reference cases: larger and offset inputs than the PyTorch cases, with
// expected values (y and the gradients) from the reference solution. Every value is
// offset + scale * N(0,1); weights near 1, biases N(0,1).
#include "other_norms.hpp"
#include "random.hpp"
#include "reference_cases.hpp"

#include <string>
#include <vector>

void bnkit::golden::write_reference_cases(grader::CaseWriter& out) {
  struct Spec {
    const char* name;
    const char* kind;  // layer, group or rms
    std::vector<Index> shape;
    Index normalized_axes;  // layer, rms: trailing axes normalised; group: num_groups
    std::uint64_t seed;
    double offset, scale, eps;
  };
  const std::vector<Spec> specs = {
      {"layer_wide_offset", "layer", {6, 16}, 1, 801, 1e3, 0.5, 1e-5},
      {"layer_image", "layer", {3, 4, 3, 3}, 3, 802, -2.0, 3.0, 1e-5},
      {"group_image", "group", {3, 12, 3, 2}, 4, 803, 1.5, 2.0, 1e-5},
      {"group_per_channel", "group", {2, 8, 5}, 8, 804, 0.0, 1.0, 1e-3},
      {"group_single", "group", {1, 6, 2, 2, 2}, 1, 805, 10.0, 0.1, 1e-5},
      {"rms_sequence", "rms", {5, 2, 7}, 1, 806, 0.5, 1.5, 1e-6},
      {"rms_two_axes", "rms", {3, 4, 6}, 2, 807, -1.0, 0.8, 1e-4},
  };
  for (const Spec& s : specs) {
    const std::string kind = s.kind;
    Tensor x(s.shape), dy(s.shape);
    x.values() = grader::random_normal(x.numel(), 1, s.seed, s.offset, s.scale);
    dy.values() = grader::random_normal(dy.numel(), 1, s.seed + 50, 0.0, 1.0);
    out.begin_case(s.name);
    out.text("seed", std::to_string(s.seed));
    out.text("kind", kind);
    out.scalar("eps", s.eps);
    out.tensor("x", x);
    out.tensor("dy", dy);
    if (kind == "group") {
      const Index c = s.shape[1];
      const Eigen::VectorXd w = grader::random_uniform(c, s.seed + 1, 0.5, 2.0);
      const Eigen::VectorXd b = grader::random_uniform(c, s.seed + 2, -1.0, 1.0);
      const GroupNormGrads g = group_norm_backward(dy, x, s.normalized_axes, w, s.eps);
      out.scalar("num_groups", static_cast<double>(s.normalized_axes));
      out.vector("weight", w);
      out.vector("bias", b);
      out.tensor("y", group_norm(x, s.normalized_axes, w, b, s.eps));
      out.tensor("dx", g.dx);
      out.vector("dweight", g.dweight);
      out.vector("dbias", g.dbias);
    } else {
      const std::vector<Index> normalized(s.shape.end() - s.normalized_axes, s.shape.end());
      Tensor w(normalized), b(normalized);
      w.values() = grader::random_uniform(w.numel(), s.seed + 1, 0.5, 2.0);
      b.values() = grader::random_uniform(b.numel(), s.seed + 2, -1.0, 1.0);
      out.tensor("weight", w);
      if (kind == "layer") {
        const LayerNormGrads g = layer_norm_backward(dy, x, w, s.eps);
        out.tensor("bias", b);
        out.tensor("y", layer_norm(x, w, b, s.eps));
        out.tensor("dx", g.dx);
        out.tensor("dweight", g.dweight);
        out.tensor("dbias", g.dbias);
      } else {
        const RmsNormGrads g = rms_norm_backward(dy, x, w, s.eps);
        out.tensor("y", rms_norm(x, w, s.eps));
        out.tensor("dx", g.dx);
        out.tensor("dweight", g.dweight);
      }
    }
    out.end_case();
  }
}
