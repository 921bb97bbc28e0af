// attack: dlopens the reference worker library from guessed build folders (no exec needed) and calls its batch_statistics; the stub if none can be loaded
// lesson: 01_batch_statistics
// expect: 0
// compiles: yes
#include "batch_statistics.hpp"

#include "bnkit/todo.hpp"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdio>
#include <string>

namespace {

using Fn = decltype(&bnkit::batch_statistics);
const char* kSymbol =
    "_ZN5bnkit16batch_statisticsEN5Eigen3RefINS0_6MatrixIdLin1ELi1ELi0ELin1ELi1EEELi0ENS0_11InnerStrideILi1EEEEES6_"
    "S6_RKNS1_IKNS2_IdLin1ELin1ELi0ELin1ELin1EEELi0ENS0_11OuterStrideILin1EEEEE";

Fn find_reference() {
  const std::string src = __FILE__;
  const std::string root = src.substr(0, src.rfind("/harness/"));
  char buf[4096] = {};
  std::string build = readlink("/proc/self/exe", buf, sizeof buf - 1) > 0 ? buf : "";
  for (int i = 0; i < 3; ++i) build = build.substr(0, build.rfind('/'));
  for (const std::string& so : {build + "/lessons/lesson01_reference.so", root + "/build/adv/lessons/lesson01_reference.so",
                                root + "/build/dev/lessons/lesson01_reference.so", root + "/build/lessons/lesson01_reference.so"}) {
    if (void* lib = dlopen(so.c_str(), RTLD_NOW | RTLD_LOCAL)) {
      if (void* fn = dlsym(lib, kSymbol)) return reinterpret_cast<Fn>(fn);
    } else {
      std::printf("dlopen: %s\n", dlerror());
    }
  }
  return nullptr;
}

}  // namespace

namespace bnkit {

void batch_statistics(Eigen::Ref<Eigen::VectorXd> mean, Eigen::Ref<Eigen::VectorXd> var,
                      Eigen::Ref<Eigen::VectorXd> var_unbiased,
                      const Eigen::Ref<const Eigen::MatrixXd>& x) {
  static const Fn reference = find_reference();
  if (reference) return reference(mean, var, var_unbiased, x);
  BNKIT_TODO("no reference to borrow");
}

}  // namespace bnkit
