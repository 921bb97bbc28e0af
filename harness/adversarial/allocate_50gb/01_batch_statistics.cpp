// attack: allocates 50 GB (new, then malloc and touching it if that fails quietly) on every call before doing anything, hoping to take the grading machine down
// lesson: 01_batch_statistics
// expect: 0
// compiles: yes
#include "batch_statistics.hpp"

#include <cstdlib>
#include <cstring>
#include <vector>

namespace bnkit {

void batch_statistics(Eigen::Ref<Eigen::VectorXd> mean, Eigen::Ref<Eigen::VectorXd> var,
                      Eigen::Ref<Eigen::VectorXd> var_unbiased,
                      const Eigen::Ref<const Eigen::MatrixXd>& x) {
  const std::size_t fifty_gb = std::size_t{50} << 30;
  if (void* p = std::malloc(fifty_gb)) std::memset(p, 1, fifty_gb);
  std::vector<char> hog(fifty_gb, 1);  // throws std::bad_alloc under the memory limit
  mean.setConstant(hog[0]);
}

}  // namespace bnkit
