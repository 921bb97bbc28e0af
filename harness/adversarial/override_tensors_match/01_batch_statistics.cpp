// attack: defines bnkit::grader::tensors_match and matches_case (same mangled names as the grader's) to always succeed, then returns zeros
// lesson: 01_batch_statistics
// expect: 0
// compiles: yes
#include "batch_statistics.hpp"

#include "bnkit/tensor.hpp"

#include <string>
#include <utility>
#include <vector>

// Just enough of GoogleTest and the grader's types to spell the grader's signatures.
namespace testing {
class AssertionResult {
 public:
  bool success = true;
};
}  // namespace testing

namespace bnkit::grader {
struct Tolerance {
  double atol, rtol;
};
struct Origin;
class Case;

testing::AssertionResult tensors_match(const std::string&, const Tensor&, const Tensor&, Tolerance, const Origin&,
                                       const std::vector<std::pair<std::string, Tensor>>&) {
  return {};  // "they match"
}
testing::AssertionResult matches_case(const std::string&, const Eigen::VectorXd&, const Case&, const std::string&,
                                      Tolerance) {
  return {};
}
testing::AssertionResult matches_case(const std::string&, const Eigen::MatrixXd&, const Case&, const std::string&,
                                      Tolerance) {
  return {};
}
}  // namespace bnkit::grader

namespace bnkit {

void batch_statistics(Eigen::Ref<Eigen::VectorXd> mean, Eigen::Ref<Eigen::VectorXd> var,
                      Eigen::Ref<Eigen::VectorXd> var_unbiased,
                      const Eigen::Ref<const Eigen::MatrixXd>& x) {
  mean.setZero();
  var.setZero();
  var_unbiased.setZero();
}

}  // namespace bnkit
