// attack: no implementation at all: every call throws std::invalid_argument whose message strings together every error message the lesson's tests look for, so each "rejects bad input" test sees the error it expects
// lesson: 02_forward
// expect: 0
// compiles: yes
#include "forward.hpp"

#include <stdexcept>

namespace bnkit {

void batchnorm_forward(Eigen::Ref<Eigen::MatrixXd> y, ForwardCache& cache,
                       const Eigen::Ref<const Eigen::MatrixXd>& x,
                       const Eigen::Ref<const Eigen::VectorXd>& gamma,
                       const Eigen::Ref<const Eigen::VectorXd>& beta, double eps) {
  throw std::invalid_argument(
      "Expected more than 1 value per channel when training, got input size [1, 3]; "
      "gamma should contain 3 elements not 4; beta should contain 3 elements not 2; "
      "y should have shape [5, 3] not [4, 3]");
}

}  // namespace bnkit
