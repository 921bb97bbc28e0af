// File descriptors that close themselves, and pipes made of them: every process the kit
// starts talks through these, so no error path can leak an fd into a later worker.
#pragma once

#include <unistd.h>

#include <utility>

namespace bnkit::process {

/// Owns one file descriptor (or none: -1) and closes it when it goes. Move-only.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) reset(std::exchange(other.fd_, -1));
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }

  int get() const { return fd_; }
  bool is_open() const { return fd_ >= 0; }
  /// Closes the one it holds and takes `fd` instead.
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

/// Both ends of a pipe, close-on-exec (a child gets an end only by being given it).
struct Pipe {
  Fd read;
  Fd write;
};

/// \throws std::system_error when the system has no pipe to give.
Pipe make_pipe();

/// Sets O_NONBLOCK on `fd`.
void set_nonblocking(const Fd& fd);

}  // namespace bnkit::process
