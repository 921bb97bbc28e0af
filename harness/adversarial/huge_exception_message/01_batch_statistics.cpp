// attack: throws a 16 MB exception message on every call, hoping the trusted side's copies of it exhaust the grader's memory or disk
// lesson: 01_batch_statistics
// expect: 0
// compiles: yes
#include "batch_statistics.hpp"

#include <stdexcept>
#include <string>

namespace bnkit {

void batch_statistics(Eigen::Ref<Eigen::VectorXd> mean, Eigen::Ref<Eigen::VectorXd> var,
                      Eigen::Ref<Eigen::VectorXd> var_unbiased,
                      const Eigen::Ref<const Eigen::MatrixXd>& x) {
  throw std::invalid_argument(std::string(std::size_t{16} << 20, 'A'));
}

}  // namespace bnkit
