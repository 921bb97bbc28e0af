#include "trainer_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>

namespace bnkit::capstone {

namespace {

constexpr std::size_t kMaxOutput = 64 << 10;
constexpr std::size_t kMaxLine = 1 << 20;

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

void close_fd(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

}  // namespace

TrainerProcess::TrainerProcess(const std::string& program, const std::vector<std::string>& args,
                               std::shared_ptr<const std::string> input, sandbox::Level level)
    : input_(std::move(input)) {
  int in[2], report[2], out[2];
  if (pipe2(in, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  if (pipe2(report, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) {
    throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  }
  sandbox::Command command;
  command.argv = {program};
  command.argv.insert(command.argv.end(), args.begin(), args.end());
  command.argv.insert(command.argv.end(), {"--json-fd", "3"});
  command.visible = {program};
  sandbox::Limits limits;
  limits.address_space_bytes = std::uint64_t{4} << 30;  // the training set as doubles: 60,000 x 784 x 8 = 376 MB
  limits.cpu_seconds = 24 * 3600;                       // a run is as long as its epochs
  std::string error;
  pid_ = sandbox::launch(command, {in[0], out[1], out[1], report[1], -1, -1}, level, limits, error);
  close(in[0]);
  close(out[1]);
  close(report[1]);
  input_fd_ = in[1];
  report_fd_ = report[0];
  output_fd_ = out[0];
  for (const int fd : {input_fd_, report_fd_, output_fd_}) fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  if (pid_ < 0) {
    close_fd(input_fd_);
    close_fd(report_fd_);
    close_fd(output_fd_);
    throw std::runtime_error("cannot start " + program + ": " + error);
  }
  if (!input_ || input_->empty()) close_fd(input_fd_);
}

TrainerProcess::~TrainerProcess() {
  if (!exited_) kill();
  close_fd(input_fd_);
  close_fd(report_fd_);
  close_fd(output_fd_);
}

void TrainerProcess::kill() {
  if (pid_ > 0 && !exited_) {
    ::kill(-pid_, SIGKILL);
    ::kill(pid_, SIGKILL);
    reap(true);
  }
  close_fd(input_fd_);
}

std::vector<nlohmann::json> TrainerProcess::take_records() {
  std::vector<nlohmann::json> out(records_.begin(), records_.end());
  records_.clear();
  return out;
}

void TrainerProcess::on_input() {
  while (input_fd_ >= 0 && written_ < input_->size()) {
    const ssize_t n = write(input_fd_, input_->data() + written_, std::min<std::size_t>(input_->size() - written_, 1 << 20));
    if (n > 0) {
      written_ += static_cast<std::size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && errno == EAGAIN) {
      return;
    } else {
      close_fd(input_fd_);  // EPIPE: it stopped reading (it failed, or was stopped)
      return;
    }
  }
  close_fd(input_fd_);
}

void TrainerProcess::on_reports() {
  char buf[65536];
  for (;;) {
    const ssize_t n = read(report_fd_, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return;  // EAGAIN
    if (n == 0) {
      if (!partial_.empty()) output_ += "(an unfinished report line: " + partial_.substr(0, 200) + ")\n";
      partial_.clear();
      close_fd(report_fd_);
      return;
    }
    partial_.append(buf, static_cast<std::size_t>(n));
    for (std::size_t nl; (nl = partial_.find('\n')) != std::string::npos;) {
      const std::string line = partial_.substr(0, nl);
      partial_.erase(0, nl + 1);
      nlohmann::json record = nlohmann::json::parse(line, nullptr, false);
      if (record.is_discarded() || !record.is_object()) {
        if (output_.size() < kMaxOutput) output_ += "(not a report: " + line.substr(0, 200) + ")\n";
      } else {
        records_.push_back(std::move(record));
      }
    }
    if (partial_.size() > kMaxLine) partial_.clear();
  }
}

void TrainerProcess::on_output() {
  char buf[65536];
  for (;;) {
    const ssize_t n = read(output_fd_, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return;
    if (n == 0) {
      close_fd(output_fd_);
      return;
    }
    if (output_.size() < kMaxOutput) output_.append(buf, std::min(static_cast<std::size_t>(n), kMaxOutput - output_.size()));
  }
}

void TrainerProcess::reap(bool block) {
  if (exited_ || pid_ <= 0) return;
  int status = 0;
  pid_t r;
  while ((r = waitpid(pid_, &status, block ? 0 : WNOHANG)) < 0 && errno == EINTR) {
  }
  if (r == pid_) {
    exited_ = true;
    status_ = status;
    ::kill(-pid_, SIGKILL);  // anything it left in its group
  } else if (r < 0) {
    exited_ = true;  // not our child any more: nothing to wait for
  }
}

void TrainerProcess::pump(const std::vector<TrainerProcess*>& running, int timeout_ms) {
  std::vector<pollfd> fds;
  std::vector<std::pair<TrainerProcess*, int>> owners;  // which process, which fd (0 in, 1 report, 2 output)
  for (TrainerProcess* t : running) {
    if (t->input_fd_ >= 0) {
      fds.push_back({t->input_fd_, POLLOUT, 0});
      owners.emplace_back(t, 0);
    }
    if (t->report_fd_ >= 0) {
      fds.push_back({t->report_fd_, POLLIN, 0});
      owners.emplace_back(t, 1);
    }
    if (t->output_fd_ >= 0) {
      fds.push_back({t->output_fd_, POLLIN, 0});
      owners.emplace_back(t, 2);
    }
  }
  if (!fds.empty()) {
    const int n = poll(fds.data(), fds.size(), timeout_ms);
    if (n > 0) {
      for (std::size_t i = 0; i < fds.size(); ++i) {
        if (fds[i].revents == 0) continue;
        TrainerProcess* t = owners[i].first;
        if (owners[i].second == 0) t->on_input();
        else if (owners[i].second == 1) t->on_reports();
        else t->on_output();
      }
    }
  } else if (timeout_ms > 0) {
    poll(nullptr, 0, std::min(timeout_ms, 20));
  }
  for (TrainerProcess* t : running) {
    if (t->report_fd_ >= 0 || t->output_fd_ >= 0) continue;
    // Both of its outputs are closed: it has ended, or closed them and goes on (then it has
    // five seconds to end).
    if (t->eof_since_ < 0) t->eof_since_ = now_s();
    t->reap(false);
    if (!t->exited_ && now_s() - t->eof_since_ > 5.0) t->kill();
  }
}

}  // namespace bnkit::capstone
