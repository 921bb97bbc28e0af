// What a lesson test binary and the runner say to each other.
//
// The runner asks a binary for its manifest (every graded test and its points), then runs
// each test in a process of its own, which writes one result file:
//
//   bnkit-result 1
//   test BatchStatistics.MeanMatchesPyTorch
//   outcome passed | failed | skipped
//   todo_reached 0 | 1
//   failure <byte count>
//   <that many bytes of failure message>      (repeated per failure)
//
// A result file without an "outcome" line means the test never finished: the process
// crashed, exited or hung, and the runner says which.
#pragma once

namespace bnkit::protocol {

inline constexpr const char* kManifestFlag = "--bnkit-manifest";
inline constexpr const char* kResultFlag = "--bnkit-result=";
inline constexpr const char* kResultHeader = "bnkit-result 1";

}  // namespace bnkit::protocol
