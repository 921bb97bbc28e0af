// attack: writes its own reply frames straight onto the reply pipe (fd 4): "returned" with outputs claiming 2^40 values, a wrong-sized mean, and a 2 GiB frame length, hoping to crash or overflow the trusted side
// lesson: 01_batch_statistics
// expect: 0
// compiles: yes
#include "batch_statistics.hpp"

#include "reply.hpp"
#include "wire.hpp"

#include <unistd.h>

#include <string>

namespace {

using bnkit::boundary::Writer;

void send(const std::string& body, std::uint64_t claimed_length) {
  (void)!write(bnkit::boundary::kReplyFd, &claimed_length, sizeof claimed_length);
  (void)!write(bnkit::boundary::kReplyFd, body.data(), body.size());
}

}  // namespace

namespace bnkit {

void batch_statistics(Eigen::Ref<Eigen::VectorXd> mean, Eigen::Ref<Eigen::VectorXd> var,
                      Eigen::Ref<Eigen::VectorXd> var_unbiased,
                      const Eigen::Ref<const Eigen::MatrixXd>& x) {
  static int call = 0;
  Writer outputs;
  switch (call++ % 3) {
    case 0:  // a vector that claims 2^40 values
      outputs.i64(std::int64_t{1} << 40);
      outputs.i64(1);
      break;
    case 1:  // a mean of the wrong length, well formed
      outputs.i64(mean.size() + 5);
      outputs.i64(1);
      for (Eigen::Index i = 0; i < mean.size() + 5; ++i) outputs.f64(0.0);
      break;
    default: {  // a frame far larger than the limit
      const std::uint64_t huge = std::uint64_t{2} << 30;
      (void)!write(bnkit::boundary::kReplyFd, &huge, sizeof huge);
      _exit(0);
    }
  }
  Writer frame;
  frame.u8(static_cast<std::uint8_t>(bnkit::boundary::Status::kReturned));
  frame.str(outputs.bytes());
  frame.str("");
  send(frame.bytes(), frame.bytes().size());
  _exit(0);  // the real reply must never follow
}

}  // namespace bnkit
