#include "compare.hpp"

#include "mistakes.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace bnkit::grader {

namespace {

struct Difference {
  Index first_bad = -1;     // flat index of the first element out of tolerance
  double max_abs = 0.0;
  double max_rel = 0.0;
};

bool same_value(double got, double want, Tolerance tol) {
  if (std::isnan(want) || std::isnan(got)) return std::isnan(want) && std::isnan(got);
  if (std::isinf(want) || std::isinf(got)) return got == want;
  return std::abs(got - want) <= tol.atol + tol.rtol * std::abs(want);
}

Difference differences(const Tensor& got, const Tensor& want, Tolerance tol) {
  Difference d;
  for (Index i = 0; i < want.numel(); ++i) {
    const double g = got.values()[i], w = want.values()[i];
    if (!same_value(g, w, tol) && d.first_bad < 0) d.first_bad = i;
    const double abs_err = std::abs(g - w);
    if (std::isfinite(abs_err)) {
      d.max_abs = std::max(d.max_abs, abs_err);
      if (w != 0.0) d.max_rel = std::max(d.max_rel, abs_err / std::abs(w));
    } else if (!(std::isnan(g) && std::isnan(w))) {
      d.max_abs = d.max_rel = INFINITY;
    }
  }
  return d;
}

/// [n, c, l] of flat index i in a row-major tensor of this shape.
std::string index_string(Index flat, const std::vector<Index>& shape) {
  std::vector<Index> idx(shape.size());
  for (std::size_t a = shape.size(); a-- > 0;) {
    idx[a] = flat % shape[a];
    flat /= shape[a];
  }
  return shape_string(idx);
}

std::string origin_string(const Origin& origin) {
  std::string s = "expected values: " + origin.source;
  if (!origin.case_name.empty()) s += ", case '" + origin.case_name + "'";
  s += origin.seed ? ", seed " + std::to_string(*origin.seed) : std::string(", no random seed");
  return s;
}

std::string num(double v) {
  std::ostringstream os;
  os.precision(12);
  os << v;
  return os.str();
}

std::string sci(double v) {
  std::ostringstream os;
  os.precision(2);
  os << std::scientific << v;
  return os.str();
}

}  // namespace

::testing::AssertionResult tensors_match(
    const std::string& name, const Tensor& got, const Tensor& expected, Tolerance tol,
    const Origin& origin, const std::vector<std::pair<std::string, Tensor>>& mistakes) {
  if (got.shape() != expected.shape()) {
    return ::testing::AssertionFailure()
           << name << " has shape " << shape_string(got.shape()) << " but should have shape "
           << shape_string(expected.shape()) << "\n  " << origin_string(origin);
  }
  const Difference d = differences(got, expected, tol);
  if (d.first_bad < 0) return ::testing::AssertionSuccess();

  auto failure = ::testing::AssertionFailure();
  failure << name << " (shape " << shape_string(expected.shape()) << ") is wrong at "
          << index_string(d.first_bad, expected.shape()) << ": expected "
          << num(expected.values()[d.first_bad]) << ", got " << num(got.values()[d.first_bad])
          << "\n  max abs error " << sci(d.max_abs) << ", max rel error " << sci(d.max_rel)
          << "; tolerance |got - expected| <= " << sci(tol.atol) << " + " << sci(tol.rtol)
          << " * |expected|\n  " << origin_string(origin);
  // Which known mistakes this wrong answer is, for the runner to weigh over the whole test
  // (evidence beside the failure, not in its text; the student never sees it).
  if (!mistakes.empty()) {
    std::vector<std::string> available, matched;
    for (const auto& [id, fingerprint] : mistakes) {
      available.push_back(id);
      if (fingerprint.shape() == got.shape() && differences(got, fingerprint, tol).first_bad < 0) {
        matched.push_back(id);
      }
    }
    record_evidence({available, matched});
  }
  return failure;
}

::testing::AssertionResult matches_case(const std::string& name, const Tensor& got,
                                        const Case& c, const std::string& key, Tolerance tol) {
  Origin origin{c.source(), c.name(), std::nullopt};
  if (c.has_text("seed")) origin.seed = std::stoull(c.text("seed"));
  return tensors_match(name, got, c.tensor(key), tol, origin, c.mistakes_for(key));
}

::testing::AssertionResult matches_case(const std::string& name, const Eigen::MatrixXd& got,
                                        const Case& c, const std::string& key, Tolerance tol) {
  return matches_case(name, to_tensor(got), c, key, tol);
}

::testing::AssertionResult matches_case(const std::string& name, const Eigen::VectorXd& got,
                                        const Case& c, const std::string& key, Tolerance tol) {
  return matches_case(name, to_tensor(got), c, key, tol);
}

}  // namespace bnkit::grader
