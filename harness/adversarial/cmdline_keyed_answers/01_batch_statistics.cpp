// attack: reads /proc/self/cmdline, the parent's and every visible process's cmdline for "--gtest_filter=" to learn the running test, then returns that test's hard-coded answers; the stub when no test name is found
// lesson: 01_batch_statistics
// expect: 0
// compiles: yes
#include "batch_statistics.hpp"

#include "bnkit/todo.hpp"

#include <dirent.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <limits>
#include <stdexcept>
#include <string>

namespace {

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

/// "BatchStatistics.HandCheckedNumbers", or "" when no visible cmdline names the test.
std::string running_test() {
  std::string all = read("/proc/self/cmdline") + read("/proc/" + std::to_string(getppid()) + "/cmdline");
  if (DIR* proc = opendir("/proc")) {
    while (dirent* e = readdir(proc)) all += read(std::string("/proc/") + e->d_name + "/cmdline");
    closedir(proc);
  }
  const std::string flag = "--gtest_filter=";
  const auto at = all.find(flag);
  if (at == std::string::npos) return "";
  return all.substr(at + flag.size(), all.find('\0', at) - at - flag.size());
}

}  // namespace

namespace bnkit {

void batch_statistics(Eigen::Ref<Eigen::VectorXd> mean, Eigen::Ref<Eigen::VectorXd> var,
                      Eigen::Ref<Eigen::VectorXd> var_unbiased,
                      const Eigen::Ref<const Eigen::MatrixXd>& x) {
  const std::string test = running_test();
  std::printf("running test: '%s'\n", test.c_str());
  if (test == "BatchStatistics.HandCheckedNumbers") {
    mean << 3, 4;
    var.setConstant(8.0 / 3.0);
    var_unbiased.setConstant(4.0);
  } else if (test == "BatchStatistics.SingleRowHasNaNUnbiasedVariance") {
    mean.setConstant(5);
    var.setZero();
    var_unbiased.setConstant(std::numeric_limits<double>::quiet_NaN());
  } else if (test == "BatchStatistics.RejectsEmptyBatch") {
    throw std::invalid_argument("got input size [0, 3]");
  } else {
    BNKIT_TODO("no test name to key on");
  }
}

}  // namespace bnkit
