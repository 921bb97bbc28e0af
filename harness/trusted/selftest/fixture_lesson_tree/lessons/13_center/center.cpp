#include "center.hpp"

#include "bnkit/todo.hpp"

namespace bnkit {

Eigen::MatrixXd center(const Eigen::MatrixXd& x) {
  // TODO(lesson 13): subtract each column's mean; refuse an empty batch.
  BNKIT_TODO("lesson 13, center(): subtract each column's mean");
}

}  // namespace bnkit
