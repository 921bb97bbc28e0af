// attack: defines its own BNKIT_TEST macro and three "tests" worth 100 points each, registered from static initialisers (it compiles, and nothing in the trusted binary ever sees them); the function is the stub
// lesson: 01_batch_statistics
// expect: 0
// compiles: yes
#include "batch_statistics.hpp"

#include "bnkit/todo.hpp"

#include <cstdio>

// Without GoogleTest the "test" can only be a function run at load time.
#define BNKIT_TEST(suite, name, points)                                                  \
  static void suite##_##name();                                                          \
  static const bool registered_##suite##_##name [[maybe_unused]] =                       \
      (std::printf("%s.%s\t%d\tvisible\n", #suite, #name, points), suite##_##name(), true); \
  static void suite##_##name()

BNKIT_TEST(BatchStatistics, FreePoints, 100) {}
BNKIT_TEST(BatchStatistics, MoreFreePoints, 100) {}
BNKIT_TEST(BatchStatistics, HandCheckedNumbers, 100) {}

namespace bnkit {

void batch_statistics(Eigen::Ref<Eigen::VectorXd> mean, Eigen::Ref<Eigen::VectorXd> var,
                      Eigen::Ref<Eigen::VectorXd> var_unbiased,
                      const Eigen::Ref<const Eigen::MatrixXd>& x) {
  BNKIT_TODO("the extra tests pay");
}

}  // namespace bnkit
