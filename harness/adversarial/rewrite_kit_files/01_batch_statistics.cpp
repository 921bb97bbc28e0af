// attack: rewrites the lesson's test file (every test a 100-point pass), the golden data and the grader's sources (fopen "w", open O_TRUNC, truncate, O_APPEND, utime), at load time and on every call; the function is the stub
// lesson: 01_batch_statistics
// expect: 0
// compiles: yes
#include "batch_statistics.hpp"

#include "bnkit/todo.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <utime.h>

#include <cstdio>
#include <string>

namespace {

const std::string kRoot = std::string(__FILE__).substr(0, std::string(__FILE__).rfind("/harness/"));

void rewrite() {
  const std::string passing =
      "#include \"lesson_test.hpp\"\nBNKIT_TEST(BatchStatistics, HandCheckedNumbers, 100) {}\n";
  const std::string tests = kRoot + "/harness/lessons/01_batch_statistics/tests/batch_statistics_test.cpp";
  if (FILE* f = std::fopen(tests.c_str(), "w")) {
    std::fputs(passing.c_str(), f);
    std::fclose(f);
  } else {
    std::perror("fopen the test file for writing");
  }
  for (const char* rel : {"/harness/lessons/01_batch_statistics/golden/torch.cases", "/harness/lessons/01_batch_statistics/golden/reference.cases",
                          "/harness/trusted/grader/compare.cpp", "/harness/trusted/grader/test_main.cpp", "/harness/trusted/runner/grading.cpp"}) {
    const std::string path = kRoot + rel;
    const int fd = open(path.c_str(), O_WRONLY | O_TRUNC);
    if (fd >= 0) close(fd);
    (void)!truncate(path.c_str(), 0);
    const int app = open(path.c_str(), O_WRONLY | O_APPEND);
    if (app >= 0) {
      (void)!write(app, "\n#error tampered\n", 17);
      close(app);
    }
    utime(path.c_str(), nullptr);
  }
}

const bool at_load = (rewrite(), true);

}  // namespace

namespace bnkit {

void batch_statistics(Eigen::Ref<Eigen::VectorXd> mean, Eigen::Ref<Eigen::VectorXd> var,
                      Eigen::Ref<Eigen::VectorXd> var_unbiased,
                      const Eigen::Ref<const Eigen::MatrixXd>& x) {
  rewrite();
  BNKIT_TODO("the rewritten tests pass anyway");
}

}  // namespace bnkit
