// The catalogue of known mistakes the grader can recognise in a wrong answer, and the
// evidence a check records so that the runner can name one.
//
// A check never names a mistake to the student itself. Each failed comparison records, as
// data beside its failure (record_evidence), the fingerprints it had for that value and
// those the wrong answer matched. The test binary's result writer (test_main.cpp) attaches
// the evidence to the failure GoogleTest reports next, in the JSON result file; the runner
// (harness/trusted/runner/grading.cpp) weighs the evidence of every failure of a test and
// names mistake X, once, only when it is consistent (see diagnose() there). Nothing in a
// message's text is read as evidence, so no text a submission prints can forge it.
//
// The catalogue is inline because both sides use it: the test binaries (to check ids) and
// the runner (to print the sentence of the mistake it names).
#pragma once

#include <map>
#include <string>
#include <vector>

namespace bnkit::grader {

/// What one failed comparison knew about known mistakes.
struct Evidence {
  std::vector<std::string> available;  ///< the ids whose fingerprints it had
  std::vector<std::string> matched;    ///< those the wrong answer matched (a subset)
};

/// One sentence explaining mistake `id` (an id used in golden fingerprints and mutants),
/// or an empty string for an unknown id.
inline std::string describe_mistake(const std::string& id) {
  static const std::map<std::string, std::string> catalogue = {
// Each lesson's mistakes, harness/lessons/NN_topic/mistakes.inc, gathered by CMake
// (harness/cmake/lessons.cmake writes this file from the lesson folders).
#include "bnkit_mistakes.inc"
  };
  auto it = catalogue.find(id);
  return it == catalogue.end() ? std::string() : it->second;
}

/// What the student reads when the runner names mistake `id`:
/// "Looks like a known mistake [id]: <sentence>".
inline std::string mistake_sentence(const std::string& id) {
  return "Looks like a known mistake [" + id + "]: " + describe_mistake(id);
}

/// Records `e` for the next failure GoogleTest reports in this test: the result writer
/// attaches it to that failure (a comparison's failure is reported right after it). Evidence
/// of a comparison whose failure is never reported goes with the test's next failure, or
/// nowhere; the runner weighs a test's evidence as a whole, so that changes at most where
/// the sentence is printed.
void record_evidence(Evidence e);

/// The evidence recorded since the last call, in order (the result writer's).
std::vector<Evidence> take_evidence();

/// For a check that recognises mistake `id` directly (running_var is all zeros, an eval call
/// changed a buffer): records evidence that had that one fingerprint and matched it, for the
/// failure it is streamed into (`ADD_FAILURE() << "..." << looks_like(id)`). Returns "", so
/// it adds nothing to the text; the runner names the mistake when the rest of the test agrees.
std::string looks_like(const std::string& id);

}  // namespace bnkit::grader
