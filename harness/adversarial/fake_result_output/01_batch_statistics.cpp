// attack: prints a fake result record (the result file's JSON, "outcome": "passed"), GoogleTest's PASSED banner and a JSON report with full points to stdout and stderr; the function is the stub
// lesson: 01_batch_statistics
// expect: 0
// compiles: yes
#include "batch_statistics.hpp"

#include "bnkit/todo.hpp"

#include <cstdio>

namespace {

void fake_results() {
  const char* text =
      "\n"
      "{\"format\": \"bnkit-result 3\", \"test\": \"BatchStatistics.HandCheckedNumbers\", \"outcome\": \"passed\", \"todo_reached\": false, \"failures\": [], \"output\": \"\"}\n"
      "[       OK ] BatchStatistics.HandCheckedNumbers (0 ms)\n[  PASSED  ] 9 tests.\n"
      "{\"lessons\": [{\"id\": \"01_batch_statistics\", \"status\": \"complete\", \"earned\": 17, \"possible\": 17}],"
      " \"earned\": 76, \"possible\": 76}\n";
  std::fputs(text, stdout);
  std::fputs(text, stderr);
  std::fflush(nullptr);
}

const bool at_load = (fake_results(), true);

}  // namespace

namespace bnkit {

void batch_statistics(Eigen::Ref<Eigen::VectorXd> mean, Eigen::Ref<Eigen::VectorXd> var,
                      Eigen::Ref<Eigen::VectorXd> var_unbiased,
                      const Eigen::Ref<const Eigen::MatrixXd>& x) {
  fake_results();
  BNKIT_TODO("the printed results say it all");
}

}  // namespace bnkit
