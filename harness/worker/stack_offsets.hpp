// Where a failing check was called from, as offsets that addr2line can read: the return
// addresses on the stack that lie in one module (the worker library, or the capstone's
// trainer program), relative to that module's load base.
#pragma once

#include "eigen_check.hpp"

#include <dlfcn.h>
#include <execinfo.h>

#include <cstdint>
#include <vector>

namespace bnkit::boundary {

/// The return addresses that lie in the module holding `anchor` (any object defined in it),
/// innermost first, leaving out this function and its caller (the failure handler). A
/// return address points after the call; one byte back is the call itself, on the caller's
/// line.
__attribute__((noinline)) inline std::vector<std::uint64_t> module_stack_offsets(const void* anchor) {
  constexpr int kOwnFrames = 2;
  void* frames[kMaxEigenFrames + kOwnFrames];
  const int n = backtrace(frames, kMaxEigenFrames + kOwnFrames);
  Dl_info self{};
  if (dladdr(anchor, &self) == 0) return {};
  std::vector<std::uint64_t> offsets;
  for (int i = kOwnFrames; i < n; ++i) {
    Dl_info info{};
    if (dladdr(frames[i], &info) == 0 || info.dli_fbase != self.dli_fbase) continue;
    offsets.push_back(reinterpret_cast<std::uintptr_t>(frames[i]) - 1 -
                      reinterpret_cast<std::uintptr_t>(self.dli_fbase));
  }
  return offsets;
}

}  // namespace bnkit::boundary
