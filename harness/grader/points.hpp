// Graded tests: a GoogleTest TEST that carries points.
//
//   BNKIT_TEST(BatchStatistics, MeanMatchesPyTorch, 2) { ... }
//
// A lesson's score is the sum of the points of its passing tests. Every test in a lesson
// binary must be a BNKIT_TEST: the manifest refuses a test without points.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace bnkit::grader {

/// Points of every graded test, by "Suite.Name".
std::map<std::string, int>& points_registry();

inline bool register_points(const char* suite, const char* name, int points) {
  points_registry()[std::string(suite) + "." + name] = points;
  return true;
}

}  // namespace bnkit::grader

#define BNKIT_TEST(suite, name, points)                                            \
  static const bool bnkit_points_##suite##_##name [[maybe_unused]] =               \
      ::bnkit::grader::register_points(#suite, #name, points);                     \
  TEST(suite, name)
