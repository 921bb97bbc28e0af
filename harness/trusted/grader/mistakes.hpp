// The catalogue of known mistakes the grader can recognise in a wrong answer, and the
// marker a check leaves so that the runner can name one.
//
// A check never names a mistake to the student itself. It leaves, in its failure message,
// one marker line per comparison:
//
//     bnkit-diagnosis: available=<id>,<id> matched=<id>
//
// (the fingerprints it had for that value, and those the wrong answer matched). The runner
// (harness/trusted/runner/grading.cpp) reads the markers of every failure of a test, strips them,
// and names mistake X, once, only when the evidence is consistent (see diagnose() there).
//
// The catalogue is inline because both sides use it: the test binaries (to check ids) and
// the runner (to print the sentence of the mistake it names).
#pragma once

#include <map>
#include <string>
#include <vector>

namespace bnkit::grader {

/// The first word of a diagnosis marker line.
inline constexpr const char* kDiagnosisMarker = "bnkit-diagnosis:";

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

/// The marker line of one comparison: the ids whose fingerprints it had and the ids the
/// wrong answer matched (a subset). No newline.
std::string diagnosis_marker(const std::vector<std::string>& available,
                             const std::vector<std::string>& matched);

/// For a check that recognises mistake `id` directly (running_var is all zeros, an eval call
/// changed a buffer): the marker of a comparison that had that one fingerprint and matched
/// it. Put it on a line of its own in the failure message; the runner turns it into the
/// sentence when the rest of the test agrees.
std::string looks_like(const std::string& id);

}  // namespace bnkit::grader
