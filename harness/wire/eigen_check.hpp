// The record a worker sends when an Eigen check fails: both halves read this file.
//
// Worker side (worker/eigen_failure.cpp, worker/capstone_trainer/trainer_eigen.cpp):
// encode_eigen_check writes the record that a "dying" reply carries as its reason:
//
//   bnkit-eigen-check 1
//   condition: aLhs.rows() == aRhs.rows() && aLhs.cols() == aRhs.cols()
//   function: Eigen::CwiseBinaryOp<...>::CwiseBinaryOp(...) [with BinaryOp = ...]
//   at: /usr/include/eigen3/Eigen/src/Core/CwiseBinaryOp.h:116
//   frames: 1f2a3 1e7c0 ...        (hex offsets into the worker library, innermost first)
//
// Trusted side: trusted/session/eigen_failure_report.hpp reads it back and writes the
// sentence a student reads.
#pragma once

#include <cstddef>
#include <cstdint>
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

}  // namespace bnkit::boundary
