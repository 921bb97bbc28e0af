// attack: defines testing::AssertionResult::operator bool, testing::Test::HasFailure and testing::internal::EqFailure (GoogleTest's names) to make every check pass, then returns zeros
// lesson: 01_batch_statistics
// expect: 0
// compiles: yes
#include "batch_statistics.hpp"

#include <string>

// Out-of-line definitions with GoogleTest's mangled names. They exist only in this worker
// library, which the test binary never loads.
namespace testing {
class AssertionResult {
 public:
  explicit operator bool() const;
  bool success_ = false;
};
AssertionResult::operator bool() const { return true; }

class Test {
 public:
  static bool HasFailure();
  static bool HasFatalFailure();
};
bool Test::HasFailure() { return false; }
bool Test::HasFatalFailure() { return false; }

namespace internal {
AssertionResult EqFailure(const char*, const char*, const std::string&, const std::string&, bool) {
  AssertionResult r;
  r.success_ = true;
  return r;
}
}  // namespace internal
}  // namespace testing

namespace bnkit {

void batch_statistics(Eigen::Ref<Eigen::VectorXd> mean, Eigen::Ref<Eigen::VectorXd> var,
                      Eigen::Ref<Eigen::VectorXd> var_unbiased,
                      const Eigen::Ref<const Eigen::MatrixXd>& x) {
  mean.setZero();
  var.setZero();
  var_unbiased.setZero();
}

}  // namespace bnkit
