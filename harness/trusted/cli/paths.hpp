// Where things are. Compiled in by CMake; BNKIT_ROOT / BNKIT_BUILD_DIR override them.
#pragma once

#include <cstdlib>
#include <string>

namespace bnkit::cli {

inline std::string from_env_or(const char* var, const char* fallback) {
  const char* v = std::getenv(var);
  return v && *v ? v : fallback;
}
inline std::string source_dir() { return from_env_or("BNKIT_ROOT", BNKIT_SOURCE_DIR); }
inline std::string build_dir() { return from_env_or("BNKIT_BUILD_DIR", BNKIT_BINARY_DIR); }
inline std::string cmake_program() { return BNKIT_CMAKE_COMMAND; }
inline std::string ctest_program() { return BNKIT_CTEST_COMMAND; }
inline std::string lessons_dir() { return source_dir() + "/lessons"; }
inline std::string lesson_binary(const std::string& target) { return build_dir() + "/lessons/" + target; }
inline std::string worker_library(const std::string& target) { return build_dir() + "/lessons/" + target + ".so"; }
inline std::string solutions_dir() { return source_dir() + "/solutions"; }
/// Written by CMake from the lesson folders (harness/cmake/lessons.cmake).
inline std::string lessons_manifest() { return build_dir() + "/lessons.json"; }

}  // namespace bnkit::cli
