// The frame a worker sends back for each call. Both sides include it.
//
//   u8 status, str outputs, then by status:
//     kReturned   str result          (the encoded return value, empty for void)
//     kThrew      str type, str message, str standard base ("std::invalid_argument", ...;
//                 "std::exception" for other std::exception types, "" for anything else)
//     kTodo       str message         (the stub's BNKIT_TODO: "not started")
//     kUnknown    str call name       (no such call in this lesson's worker)
//     kBadRequest str what            (the arguments could not be read: a kit bug)
//   kDying (sent just before the worker dies: a stack overflow from the signal handler, or
//           a failed Eigen check from eigen_failure.cpp): str reason
//
// "outputs" holds every in-out argument (and the object, for a method) as the student's
// code left it, whether it returned or threw: "nothing changes when a call throws" is
// then graded on what the code really did.
#pragma once

#include <cstddef>
#include <cstdint>

namespace bnkit::boundary {

enum class Status : std::uint8_t { kReturned = 0, kThrew = 1, kTodo = 2, kUnknown = 3, kBadRequest = 4, kDying = 5 };

/// A frame on the pipe: u64 length, then that many bytes (a request: str call, str args).
inline constexpr std::uint64_t kMaxFrameBytes = std::uint64_t{256} << 20;
/// An exception's type or message is cut to this many bytes on the trusted side.
inline constexpr std::size_t kMaxTextBytes = 16 * 1024;

/// The file descriptors a worker talks on (its stdout and stderr are the student's output).
inline constexpr int kRequestFd = 3;
inline constexpr int kReplyFd = 4;
/// The lesson's worker library, opened by the trusted side: the worker's user needs no
/// access to the build tree (where the reference's library also lives).
inline constexpr int kLibraryFd = 5;

}  // namespace bnkit::boundary
