// attack: adds its own graded test worth 100 points with GoogleTest and BNKIT_TEST's registration (the worker library has neither the grader nor libgtest, so it cannot link)
// lesson: 01_batch_statistics
// expect: 0
// compiles: no
#include "batch_statistics.hpp"

#include "bnkit/todo.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace bnkit::grader {
struct GradedTest {
  int points = 0;
  bool hidden = false;
};
std::map<std::string, GradedTest>& points_registry();  // the grader's, if it were here
}  // namespace bnkit::grader

#define BNKIT_TEST(suite, name, points)                                                        \
  static const bool bnkit_points_##suite##_##name [[maybe_unused]] =                           \
      (::bnkit::grader::points_registry()[#suite "." #name] = {points, false}, true);          \
  TEST(suite, name)

BNKIT_TEST(BatchStatistics, FreePoints, 100) { SUCCEED(); }

namespace bnkit {

void batch_statistics(Eigen::Ref<Eigen::VectorXd> mean, Eigen::Ref<Eigen::VectorXd> var,
                      Eigen::Ref<Eigen::VectorXd> var_unbiased,
                      const Eigen::Ref<const Eigen::MatrixXd>& x) {
  BNKIT_TODO("the extra test pays");
}

}  // namespace bnkit
