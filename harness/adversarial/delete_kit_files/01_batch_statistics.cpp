// attack: deletes or renames the lesson's tests, the golden data and the grader's sources (unlink, unlinkat, rename, rmdir, chmod 000), at load time and on every call; the function is the stub
// lesson: 01_batch_statistics
// expect: 0
// compiles: yes
#include "batch_statistics.hpp"

#include "bnkit/todo.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <string>

namespace {

const std::string kRoot = std::string(__FILE__).substr(0, std::string(__FILE__).rfind("/harness/"));

void vandalise() {
  for (const char* rel : {"/harness/lessons/01_batch_statistics/tests/batch_statistics_test.cpp",
                          "/harness/lessons/01_batch_statistics/golden/torch.cases", "/harness/trusted/grader/compare.cpp"}) {
    const std::string path = kRoot + rel;
    chmod(path.c_str(), 0);
    if (std::rename(path.c_str(), (path + ".gone").c_str()) != 0) std::perror("rename");
    unlink(path.c_str());
    unlinkat(AT_FDCWD, path.c_str(), 0);
  }
  rmdir((kRoot + "/harness/lessons/01_batch_statistics/golden").c_str());
  unlinkat(AT_FDCWD, (kRoot + "/harness/trusted/grader").c_str(), AT_REMOVEDIR);
}

const bool at_load = (vandalise(), true);

}  // namespace

namespace bnkit {

void batch_statistics(Eigen::Ref<Eigen::VectorXd> mean, Eigen::Ref<Eigen::VectorXd> var,
                      Eigen::Ref<Eigen::VectorXd> var_unbiased,
                      const Eigen::Ref<const Eigen::MatrixXd>& x) {
  vandalise();
  BNKIT_TODO("no tests, no failures");
}

}  // namespace bnkit
