// Lesson 13 of the fixture kit (harness/scripts/fixture_lesson_test.sh): the smallest lesson
// there is, proving that a lesson is three folders and nothing else.
#pragma once

#include <Eigen/Core>

namespace bnkit {

/// `x` with each column's mean subtracted. Throws std::invalid_argument for an empty batch.
Eigen::MatrixXd center(const Eigen::MatrixXd& x);

}  // namespace bnkit
