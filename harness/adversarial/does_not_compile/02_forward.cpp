// attack: none: a lesson 02 file with a type error and a missing semicolon, so it cannot build (the lesson reads "does not compile", the rest of the kit is unaffected)
// lesson: 02_forward
// expect: 0
// compiles: no
#include "forward.hpp"

namespace bnkit {

void batchnorm_forward(Eigen::Ref<Eigen::MatrixXd> y, ForwardCache& cache,
                       const Eigen::Ref<const Eigen::MatrixXd>& x,
                       const Eigen::Ref<const Eigen::VectorXd>& gamma,
                       const Eigen::Ref<const Eigen::VectorXd>& beta, double eps) {
  cache.mean = x.colwise().mean()  // a row, and no semicolon
  std::string oops = x;
}

}  // namespace bnkit
