// attack: the function itself overwrites the running test's result file (and every /tmp/*/N.result, bnkit-result) with "outcome passed", then returns garbage
// lesson: 01_batch_statistics
// expect: 0
// compiles: yes
#include "batch_statistics.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <string>

namespace {

const std::string kPassed =
    "{\"format\": \"bnkit-result 3\", \"test\": \"X\", \"outcome\": \"passed\", \"todo_reached\": false, \"failures\": [], \"output\": \"\"}\n";

void forge(const std::string& path) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd >= 0) {
    (void)!write(fd, kPassed.data(), kPassed.size());
    close(fd);
    std::printf("forged %s\n", path.c_str());
  } else if (path == "bnkit-result") {
    std::perror("open bnkit-result for writing");
  }
}

}  // namespace

namespace bnkit {

void batch_statistics(Eigen::Ref<Eigen::VectorXd> mean, Eigen::Ref<Eigen::VectorXd> var,
                      Eigen::Ref<Eigen::VectorXd> var_unbiased,
                      const Eigen::Ref<const Eigen::MatrixXd>& x) {
  forge("bnkit-result");
  for (const char* top : {"/tmp", "/var/tmp", "/dev/shm"}) {
    if (DIR* d = opendir(top)) {
      while (dirent* e = readdir(d)) {
        for (int i = 0; i < 16; ++i) forge(std::string(top) + "/" + e->d_name + "/" + std::to_string(i) + ".result");
      }
      closedir(d);
    }
  }
  mean.setZero();  // and no real work at all
  var.setZero();
  var_unbiased.setZero();
}

}  // namespace bnkit
