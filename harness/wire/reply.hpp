// The frames on the pipes, and the one codec both sides call for them: requests (trusted
// side: encode_request; worker: decode_request), replies (worker: encode_reply; trusted
// side: decode_reply) and dying replies (worker: dying_frame, built ahead for a signal
// handler). Every frame is a u64 length, then that many bytes of body.
//
// A request's body: str call, str args.
// A reply's body: u8 status, str outputs, then by status:
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

#include "wire.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

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

/// One reply, as the worker sends it and the trusted side reads it.
struct Reply {
  Status status = Status::kReturned;
  std::string outputs;  ///< the in-out arguments (and the object) as the code left them
  std::string result;   ///< kReturned: the encoded return value
  std::string type;     ///< kThrew: the thrown object's demangled type
  std::string message;  ///< kThrew: what(); every other status but kReturned: its one text
  std::string base;     ///< kThrew: the standard class it is or derives from, or ""
};

/// A whole frame: the body's length, then the body.
inline std::string frame(const std::string& body) {
  Writer w;
  w.u64(body.size());
  w.raw(body.data(), body.size());
  return w.take();
}

inline std::string encode_request(const std::string& call, const std::string& args) {
  Writer w;
  w.str(call);
  w.str(args);
  return w.take();
}

/// Throws WireError when the body is not a request.
inline void decode_request(const char* body, std::size_t size, std::string& call, std::string& args) {
  Reader r(body, size);
  call = r.str();
  args = r.str();
}

inline std::string encode_reply(const Reply& reply) {
  Writer w;
  w.u8(static_cast<std::uint8_t>(reply.status));
  w.str(reply.outputs);
  switch (reply.status) {
    case Status::kReturned: w.str(reply.result); break;
    case Status::kThrew:
      w.str(reply.type);
      w.str(reply.message);
      w.str(reply.base);
      break;
    default: w.str(reply.message); break;
  }
  return w.take();
}

/// Throws WireError when the body is not a reply (a worker is hostile: every field is read
/// with its size checked, and an unknown status is refused).
inline Reply decode_reply(const std::string& body) {
  Reader r(body);
  const std::uint8_t status = r.u8();
  if (status > static_cast<std::uint8_t>(Status::kDying)) throw WireError("unknown status");
  Reply reply;
  reply.status = static_cast<Status>(status);
  reply.outputs = r.str();
  switch (reply.status) {
    case Status::kReturned: reply.result = r.str(); break;
    case Status::kThrew:
      reply.type = r.str();
      reply.message = r.str();
      reply.base = r.str();
      break;
    default: reply.message = r.str(); break;
  }
  return reply;
}

/// The whole frame of a dying reply: the worker is about to die, and `reason` says why.
inline std::string dying_frame(const std::string& reason) {
  Reply reply;
  reply.status = Status::kDying;
  reply.message = reason;
  return frame(encode_reply(reply));
}

}  // namespace bnkit::boundary
