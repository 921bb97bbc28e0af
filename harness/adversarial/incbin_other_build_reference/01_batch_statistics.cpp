// attack: at compile time embeds (.incbin) the reference worker of a sibling build tree (build/dev, not hidden by the compile sandbox), then at run time loads it from a memfd and calls its batch_statistics; the stub if it is not there
// lesson: 01_batch_statistics
// expect: 0
// compiles: yes
#include "batch_statistics.hpp"

#include "bnkit/todo.hpp"

#include <dlfcn.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <string>

// A guessed absolute path: the kit's own "dev" preset build tree (CMakePresets.json puts
// every preset under build/). The compile of THIS tree hides only this tree.
#define STOLEN "/work/main/build/dev/lessons/lesson01_reference.so"
#if __has_include(STOLEN)
asm(".section .rodata\n.global stolen_begin\nstolen_begin:\n.incbin \"" STOLEN "\"\n"
    ".global stolen_end\nstolen_end:\n.previous\n");
extern "C" const char stolen_begin[], stolen_end[];
#else
static const char stolen_begin[1] = {0};
static const char* const stolen_end = stolen_begin;
#endif

namespace {

using Fn = decltype(&bnkit::batch_statistics);
const char* kSymbol =
    "_ZN5bnkit16batch_statisticsEN5Eigen3RefINS0_6MatrixIdLin1ELi1ELi0ELin1ELi1EEELi0ENS0_11InnerStrideILi1EEEEES6_"
    "S6_RKNS1_IKNS2_IdLin1ELin1ELi0ELin1ELin1EEELi0ENS0_11OuterStrideILin1EEEEE";

Fn load_stolen() {
  std::printf("embedded %ld bytes of another build's reference\n", static_cast<long>(stolen_end - stolen_begin));
  if (stolen_end - stolen_begin < 64) return nullptr;
  const int fd = memfd_create("lib", 0);  // an anonymous file: no write to any real file
  if (fd < 0) return nullptr;
  for (const char* p = stolen_begin; p < stolen_end;) {
    const ssize_t n = write(fd, p, static_cast<std::size_t>(stolen_end - p));
    if (n <= 0) return nullptr;
    p += n;
  }
  void* lib = dlopen(("/proc/self/fd/" + std::to_string(fd)).c_str(), RTLD_NOW | RTLD_LOCAL);
  return lib ? reinterpret_cast<Fn>(dlsym(lib, kSymbol)) : nullptr;
}

}  // namespace

namespace bnkit {

void batch_statistics(Eigen::Ref<Eigen::VectorXd> mean, Eigen::Ref<Eigen::VectorXd> var,
                      Eigen::Ref<Eigen::VectorXd> var_unbiased,
                      const Eigen::Ref<const Eigen::MatrixXd>& x) {
  static const Fn reference = load_stolen();
  if (reference) return reference(mean, var, var_unbiased, x);
  BNKIT_TODO("nothing was stolen");
}

}  // namespace bnkit
