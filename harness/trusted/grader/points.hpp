// Graded tests: a GoogleTest TEST that carries points.
//
//   BNKIT_TEST(BatchStatistics, MeanMatchesPyTorch, 2) { ... }          visible to students
//   BNKIT_HIDDEN_TEST(HiddenBatchStatistics, RandomShapes, 4) { ... }   instructor mode only
//
// A lesson's score is the sum of the points of its passing tests. The points live in this
// (trusted) binary, which never runs student code: nothing a submission does can add,
// drop or re-weight a test. Every test must be declared this way: the manifest refuses a
// test without points.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace bnkit::grader {

struct GradedTest {
  int points = 0;
  bool hidden = false;  ///< runs only in instructor mode, against the reference (the oracle)
};

/// Every graded test, by "Suite.Name".
std::map<std::string, GradedTest>& points_registry();

inline bool register_points(const char* suite, const char* name, int points, bool hidden) {
  points_registry()[std::string(suite) + "." + name] = {points, hidden};
  return true;
}

}  // namespace bnkit::grader

#define BNKIT_GRADED_TEST_(suite, name, points, hidden)                            \
  static const bool bnkit_points_##suite##_##name [[maybe_unused]] =               \
      ::bnkit::grader::register_points(#suite, #name, points, hidden);             \
  TEST(suite, name)
#define BNKIT_TEST(suite, name, points) BNKIT_GRADED_TEST_(suite, name, points, false)
#define BNKIT_HIDDEN_TEST(suite, name, points) BNKIT_GRADED_TEST_(suite, name, points, true)
