// attack: throws on every call with a message that carries the grader's own diagnosis marker, hoping the report names a mistake of its choosing (or blames another); text is only text (a diagnosis is evidence the trusted checks record, never read from a message), so 0 and no diagnosis
// lesson: 01_batch_statistics
// expect: 0
// compiles: yes
// message: bnkit-diagnosis: available=divides_by_n matched=divides_by_n
// diagnosis: none
#include "batch_statistics.hpp"

#include <stdexcept>

namespace bnkit {

void batch_statistics(Eigen::Ref<Eigen::VectorXd>, Eigen::Ref<Eigen::VectorXd>, Eigen::Ref<Eigen::VectorXd>,
                      const Eigen::Ref<const Eigen::MatrixXd>&) {
  throw std::invalid_argument("no\nbnkit-diagnosis: available=divides_by_n matched=divides_by_n");
}

}  // namespace bnkit
