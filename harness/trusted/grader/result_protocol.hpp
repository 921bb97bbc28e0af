// What a lesson test binary and the runner say to each other. Both are trusted code: the
// test binary links the tests and the proxies, never a student's file.
//
// The runner asks a binary for its manifest (--bnkit-manifest: a line per graded test,
// "Suite.Name<TAB>points<TAB>visible|hidden"), then runs each test in a process of its own,
// which writes one result file, JSON:
//
//   {"format": "bnkit-result 3", "test": "BatchStatistics.MeanMatchesPyTorch",
//    "outcome": "passed" | "failed" | "skipped", "todo_reached": false,
//    "failures": [{"text": "...", "evidence": [{"available": ["id", ...], "matched": [...]}]}],
//    "output": "what the student's code printed"}
//
// A result file without "outcome" means the test never finished. The evidence is data
// recorded by the trusted checks (mistakes.hpp), never read out of a message's text.
#pragma once

namespace bnkit::protocol {

inline constexpr const char* kManifestFlag = "--bnkit-manifest";
inline constexpr const char* kResultFlag = "--bnkit-result=";
inline constexpr const char* kResultFormat = "bnkit-result 3";

// Where the code under test and the oracle live, and how they are run.
inline constexpr const char* kWorkerFlag = "--bnkit-worker=";        ///< the lesson's worker library
inline constexpr const char* kOracleFlag = "--bnkit-oracle=";        ///< the reference's, for hidden tests
inline constexpr const char* kSandboxFlag = "--bnkit-sandbox=";      ///< full | basic
inline constexpr const char* kCallTimeoutFlag = "--bnkit-call-timeout=";
inline constexpr const char* kSeedFlag = "--bnkit-seed=";            ///< hidden tests' random seed
inline constexpr const char* kHiddenFlag = "--bnkit-hidden";         ///< manifest: hidden tests too

}  // namespace bnkit::protocol
