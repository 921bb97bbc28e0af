// attack: a static initialiser writes "outcome passed" result files (bnkit-result, /tmp/bnkit-*/N.result, the kit root) before any test runs; the function is the stub
// lesson: 01_batch_statistics
// expect: 0
// compiles: yes
#include "batch_statistics.hpp"

#include "bnkit/todo.hpp"

#include <dirent.h>

#include <cstdio>
#include <string>

namespace {

const std::string kRoot = std::string(__FILE__).substr(0, std::string(__FILE__).rfind("/harness/"));

void forge(const std::string& path) {
  if (FILE* f = std::fopen(path.c_str(), "w")) {
    std::fputs("{\"format\": \"bnkit-result 3\", \"test\": \"BatchStatistics.HandCheckedNumbers\", \"outcome\": \"passed\", \"todo_reached\": false, \"failures\": [], \"output\": \"\"}\n", f);
    std::fclose(f);
    std::printf("forged %s\n", path.c_str());
  } else if (path == "./bnkit-result") {
    std::perror("fopen ./bnkit-result for writing");
  }
}

// Every place a result file could be: the working folder, the kit, and every scratch folder.
const bool forged = [] {
  for (const std::string& dir : {std::string("."), std::string("/tmp"), kRoot, kRoot + "/build"}) forge(dir + "/bnkit-result");
  if (DIR* tmp = opendir("/tmp")) {
    while (dirent* e = readdir(tmp)) {
      for (int i = 0; i < 16; ++i) forge("/tmp/" + std::string(e->d_name) + "/" + std::to_string(i) + ".result");
    }
    closedir(tmp);
  }
  return true;
}();

}  // namespace

namespace bnkit {

void batch_statistics(Eigen::Ref<Eigen::VectorXd> mean, Eigen::Ref<Eigen::VectorXd> var,
                      Eigen::Ref<Eigen::VectorXd> var_unbiased,
                      const Eigen::Ref<const Eigen::MatrixXd>& x) {
  BNKIT_TODO("the result files say it all");
}

}  // namespace bnkit
