// attack: prints fake manifest lines (a 100-point test, re-weighted real tests) to stdout and stderr, at load time and on every call; the function is the stub
// lesson: 01_batch_statistics
// expect: 0
// compiles: yes
#include "batch_statistics.hpp"

#include "bnkit/todo.hpp"

#include <cstdio>

namespace {

void fake_manifest() {
  const char* lines =
      "BatchStatistics.FreePoints\t100\tvisible\n"
      "BatchStatistics.HandCheckedNumbers\t1000\tvisible\n"
      "HiddenBatchStatistics.RandomShapes\t-50\thidden\n";
  std::fputs(lines, stdout);
  std::fputs(lines, stderr);
  std::fflush(nullptr);
}

const bool at_load = (fake_manifest(), true);

}  // namespace

namespace bnkit {

void batch_statistics(Eigen::Ref<Eigen::VectorXd> mean, Eigen::Ref<Eigen::VectorXd> var,
                      Eigen::Ref<Eigen::VectorXd> var_unbiased,
                      const Eigen::Ref<const Eigen::MatrixXd>& x) {
  fake_manifest();
  BNKIT_TODO("the manifest says otherwise");
}

}  // namespace bnkit
