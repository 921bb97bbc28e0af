// A failed Eigen check, from the worker's record to the sentence a student reads.
//
// Worker side (eigen_failure.cpp): encode_eigen_check writes the record that a "dying"
// reply carries as its reason:
//
//   bnkit-eigen-check 1
//   condition: aLhs.rows() == aRhs.rows() && aLhs.cols() == aRhs.cols()
//   function: Eigen::CwiseBinaryOp<...>::CwiseBinaryOp(...) [with BinaryOp = ...]
//   at: /usr/include/eigen3/Eigen/src/Core/CwiseBinaryOp.h:116
//   frames: 1f2a3 1e7c0 ...        (hex offsets into the worker library, innermost first)
//
// Trusted side (session.cpp): parse_eigen_check reads it back (a worker is hostile: anything
// malformed is not a record), addr2line turns the offsets into functions and lines, and
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

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace bnkit::boundary {

/// The most stack frames a record carries.
inline constexpr int kMaxEigenFrames = 64;

struct EigenCheck {
  std::string condition;  ///< the checked expression, as Eigen wrote it
  std::string function;   ///< __PRETTY_FUNCTION__ of the Eigen function that checks
  std::string file;       ///< Eigen's header
  int line = 0;
  std::vector<std::uint64_t> offsets;  ///< return addresses in the worker library, innermost first
};

namespace detail {

/// One line of a record: no line breaks, at most `limit` bytes.
inline std::string record_field(const std::string& text, std::size_t limit) {
  std::string out = text.substr(0, limit);
  for (char& c : out) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return out;
}

}  // namespace detail

inline constexpr const char* kEigenCheckMagic = "bnkit-eigen-check 1";

/// Worker side: the record, well under the trusted side's 16 KiB cut of a reason.
inline std::string encode_eigen_check(const EigenCheck& check) {
  static const char hex[] = "0123456789abcdef";
  std::string frames;
  for (std::size_t i = 0; i < check.offsets.size() && i < static_cast<std::size_t>(kMaxEigenFrames); ++i) {
    std::string digits;
    std::uint64_t v = check.offsets[i];
    do {
      digits.insert(digits.begin(), hex[v & 15]);
      v >>= 4;
    } while (v != 0);
    frames += (i == 0 ? "" : " ") + digits;
  }
  return std::string(kEigenCheckMagic) + "\ncondition: " + detail::record_field(check.condition, 1024) +
         "\nfunction: " + detail::record_field(check.function, 8192) +
         "\nat: " + detail::record_field(check.file, 512) + ":" + std::to_string(check.line) +
         "\nframes: " + frames + "\n";
}

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
/// headers and bindings (harness/include, harness/boundary, harness/bindings) nor in a
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
