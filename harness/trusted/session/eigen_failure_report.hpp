// A failed Eigen check, from the worker's record (wire/eigen_check.hpp) to the sentence a
// student reads.
//
// parse_eigen_check reads the record back (a worker is hostile: anything malformed is not
// a record), addr2line turns the offsets into functions and lines, and
// eigen_failure_message writes the one sentence:
//
//   batch_statistics() stopped on an Eigen size check at lessons/01_batch_statistics/
//   batch_statistics.cpp:23: a difference (-) with .colwise(): the vector goes down every
//   column of the matrix, so it needs one entry per row (did you mean .rowwise(), one entry
//   per column?); the call's arguments: mean [3], var [3], var_unbiased [3], x [4, 3]
//
// The operands' own sizes are not in the record (a failed check knows only its condition's
// text); the call's arguments, described by the proxy (proxy.hpp), stand in for them.
#pragma once

#include "eigen_check.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace bnkit::boundary {

/// Trusted side: the record in a dying worker's reason, or nothing if it is not one.
std::optional<EigenCheck> parse_eigen_check(const std::string& reason);

/// One frame as addr2line -a -f -C prints it.
struct SourceFrame {
  std::uint64_t offset = 0;
  std::string function;  ///< demangled, "??" when unknown
  std::string file;      ///< "??" when unknown
  int line = 0;          ///< 0 when unknown
};

/// The output of `addr2line -a -f -C -e LIB 0x... 0x...`: three lines per address.
std::vector<SourceFrame> parse_addr2line(const std::string& output);

/// The first frame in code a student wrote: under `kit_root`, and not in the kit's own
/// headers, worker and bindings (harness/include, wire, worker, lessons) nor in a
/// library (Eigen, the standard library, anything outside the kit). Null if none is.
const SourceFrame* student_frame(const std::vector<SourceFrame>& frames, const std::string& kit_root);

/// What went wrong, in words: "a difference (-) of a matrix and a row vector (the shapes
/// must match: did you mean .rowwise()?)", from the Eigen function, its condition and the
/// frames between the check and `mine` (the student's frame; all frames when null).
std::string describe_eigen_check(const EigenCheck& check, const std::vector<SourceFrame>& frames,
                                 const SourceFrame* mine);

/// The whole message for call `call` ("batch_statistics()"): where (the student's file and
/// line relative to `kit_root`, or Eigen's own when no frame of the student's is known),
/// what, and `arguments` ("x [4, 3], ...") when not empty.
std::string eigen_failure_message(const std::string& call, const EigenCheck& check,
                                  const std::vector<SourceFrame>& frames, const std::string& kit_root,
                                  const std::string& arguments);

}  // namespace bnkit::boundary
