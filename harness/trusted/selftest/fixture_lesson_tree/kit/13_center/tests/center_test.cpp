// The fixture lesson's tests: one computed against hand-checked numbers, one refusal.
#include "center.hpp"
#include "lesson_test.hpp"

#include <stdexcept>

BNKIT_TEST(Center, ColumnsHaveMeanZero, 2) {
  Eigen::MatrixXd x(3, 2);
  x << 1, 10, 2, 20, 6, 30;
  Eigen::MatrixXd want(3, 2);
  want << -2, -10, -1, 0, 3, 10;
  const Eigen::MatrixXd got = bnkit::center(x);
  ASSERT_EQ(got.rows(), 3);
  ASSERT_EQ(got.cols(), 2);
  EXPECT_LE((got - want).cwiseAbs().maxCoeff(), 1e-12) << "center(x) is\n" << got << "\nbut should be\n" << want;
}

BNKIT_TEST(Center, RejectsEmptyBatch, 1) {
  EXPECT_THROW(bnkit::center(Eigen::MatrixXd(0, 2)), std::invalid_argument);
}
