// The fixture lesson's contract across the process boundary.
#include "center.hpp"

#include "bind.hpp"

BNKIT_BIND_FUNCTION(Eigen::MatrixXd, center, (const Eigen::MatrixXd& x), (x))
