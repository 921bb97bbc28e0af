// attack: throws (and prints) messages full of ANSI escapes (and the one-byte C1 CSI), carriage returns, backspaces and a forged JSON fragment ("earned": 76) to repaint the report or break the JSON; the function does no work
// lesson: 01_batch_statistics
// expect: 0
// compiles: yes
#include "batch_statistics.hpp"

#include <cstdio>
#include <stdexcept>
#include <string>

namespace {

const std::string kForged =
    "\x1b[2J\x1b[H\x1b[1;32m  PASSED  01_batch_statistics  17/17\x1b[0m\r\b\b\b\x07"
    "\", \"status\": \"complete\", \"earned\": 76, \"possible\": 76}]}\n"
    "{\"lessons\": [], \"earned\": 76, \"possible\": 76}\x1b]0;all tests passed\x07\xc2\x9b" "2J\x1b[8m";

}  // namespace

namespace bnkit {

void batch_statistics(Eigen::Ref<Eigen::VectorXd> mean, Eigen::Ref<Eigen::VectorXd> var,
                      Eigen::Ref<Eigen::VectorXd> var_unbiased,
                      const Eigen::Ref<const Eigen::MatrixXd>& x) {
  std::fputs(kForged.c_str(), stdout);
  std::fputs(kForged.c_str(), stderr);
  throw std::runtime_error(kForged);
}

}  // namespace bnkit
