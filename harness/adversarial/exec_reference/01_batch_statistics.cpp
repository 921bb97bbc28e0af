// attack: finds the build folder from /proc/self/exe and execs the reference worker in its place (same pipes), else the test binary or a shell; the function is the stub
// lesson: 01_batch_statistics
// expect: 0
// compiles: yes
#include "batch_statistics.hpp"

#include "bnkit/todo.hpp"

#include <unistd.h>

#include <cstdio>
#include <string>

namespace {

std::string dirname(const std::string& p) { return p.substr(0, p.rfind('/')); }

void become_reference() {
  char buf[4096] = {};
  if (readlink("/proc/self/exe", buf, sizeof buf - 1) <= 0) return;
  const std::string worker = buf;  // BUILD/harness/worker/bnkit-worker
  const std::string build = dirname(dirname(dirname(worker)));
  for (const std::string& guess : {build + "/lessons/lesson01_reference.so",
                                   std::string("/work/main/build/dev/lessons/lesson01_reference.so")}) {
    // If this worked, the reference would answer every request on fds 3 and 4 from now on.
    execl(worker.c_str(), worker.c_str(), "--no-seccomp", guess.c_str(), static_cast<char*>(nullptr));
  }
  execl((build + "/lessons/lesson01_tests").c_str(), "lesson01_tests", static_cast<char*>(nullptr));
  execl("/bin/sh", "sh", "-c", "echo shell reached", static_cast<char*>(nullptr));
  std::perror("exec");
}

const bool at_load = (become_reference(), true);

}  // namespace

namespace bnkit {

void batch_statistics(Eigen::Ref<Eigen::VectorXd> mean, Eigen::Ref<Eigen::VectorXd> var,
                      Eigen::Ref<Eigen::VectorXd> var_unbiased,
                      const Eigen::Ref<const Eigen::MatrixXd>& x) {
  become_reference();
  BNKIT_TODO("the reference answers instead");
}

}  // namespace bnkit
