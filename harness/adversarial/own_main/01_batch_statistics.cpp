// attack: defines its own main() that prints GoogleTest's all-passed banner and returns 0, hoping to replace the test binary's main; the function is the stub
// lesson: 01_batch_statistics
// expect: 0
// compiles: yes
#include "batch_statistics.hpp"

#include "bnkit/todo.hpp"

#include <cstdio>

// In a worker library this is just an unused symbol: the test binary's main() is its own.
int main() {
  std::puts("[==========] 9 tests from 1 test suite ran.\n[  PASSED  ] 9 tests.");
  return 0;
}

namespace bnkit {

void batch_statistics(Eigen::Ref<Eigen::VectorXd> mean, Eigen::Ref<Eigen::VectorXd> var,
                      Eigen::Ref<Eigen::VectorXd> var_unbiased,
                      const Eigen::Ref<const Eigen::MatrixXd>& x) {
  BNKIT_TODO("main() takes care of it");
}

}  // namespace bnkit
