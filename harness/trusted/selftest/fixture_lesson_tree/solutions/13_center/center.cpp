#include "center.hpp"

#include <stdexcept>

namespace bnkit {

Eigen::MatrixXd center(const Eigen::MatrixXd& x) {
  if (x.rows() == 0) throw std::invalid_argument("center needs at least one row");
  return x.rowwise() - x.colwise().mean();
}

}  // namespace bnkit
