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
#include <system_error>

namespace bnkit::capstone {

namespace {

constexpr std::size_t kMaxOutput = 64 << 10;
constexpr std::size_t kMaxLine = 1 << 20;

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

TrainerProcess::TrainerProcess(const std::string& program, const std::vector<std::string>& args,
                               std::shared_ptr<const std::string> input, sandbox::Level level)
    : input_data_(std::move(input)) {
  sandbox::Command command;
  command.argv = {program};
  command.argv.insert(command.argv.end(), args.begin(), args.end());
  command.argv.insert(command.argv.end(), {"--json-fd", "3"});
  command.visible = {program};
  sandbox::Limits limits;
  limits.address_space_bytes = std::uint64_t{4} << 30;  // the training set as doubles: 60,000 x 784 x 8 = 376 MB
  limits.cpu_seconds = 24 * 3600;                       // a run is as long as its epochs
  try {
    process::Pipe in = process::make_pipe(), report = process::make_pipe(), out = process::make_pipe();
    process_.emplace(sandbox::launch(command, {in.read.get(), out.write.get(), out.write.get(), report.write.get(), -1, -1},
                                     level, limits));
    input_ = std::move(in.write);
    reports_ = std::move(report.read);
    output_pipe_ = std::move(out.read);
  } catch (const std::system_error& e) {
    throw std::runtime_error("cannot start " + program + ": " + e.what());
  }
  for (const process::Fd* fd : {&input_, &reports_, &output_pipe_}) process::set_nonblocking(*fd);
  if (!input_data_ || input_data_->empty()) input_.reset();
}

TrainerProcess::~TrainerProcess() {
  if (!exited_) kill();
}

void TrainerProcess::kill() {
  if (process_ && !exited_) {
    process_->kill();
    reap(true);
  }
  input_.reset();
}

std::vector<nlohmann::json> TrainerProcess::take_records() {
  std::vector<nlohmann::json> out(records_.begin(), records_.end());
  records_.clear();
  return out;
}

void TrainerProcess::on_input() {
  while (input_.is_open() && written_ < input_data_->size()) {
    const ssize_t n = write(input_.get(), input_data_->data() + written_, std::min<std::size_t>(input_data_->size() - written_, 1 << 20));
    if (n > 0) {
      written_ += static_cast<std::size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && errno == EAGAIN) {
      return;
    } else {
      input_.reset();  // EPIPE: it stopped reading (it failed, or was stopped)
      return;
    }
  }
  input_.reset();
}

void TrainerProcess::on_reports() {
  char buf[65536];
  for (;;) {
    const ssize_t n = read(reports_.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return;  // EAGAIN
    if (n == 0) {
      if (!partial_.empty()) output_ += "(an unfinished report line: " + partial_.substr(0, 200) + ")\n";
      partial_.clear();
      reports_.reset();
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
    const ssize_t n = read(output_pipe_.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return;
    if (n == 0) {
      output_pipe_.reset();
      return;
    }
    if (output_.size() < kMaxOutput) output_.append(buf, std::min(static_cast<std::size_t>(n), kMaxOutput - output_.size()));
  }
}

void TrainerProcess::reap(bool block) {
  if (exited_ || !process_) return;
  const std::optional<int> status = block ? std::optional<int>(process_->wait()) : process_->try_wait();
  if (status) {
    exited_ = true;
    status_ = *status;
  }
}

void TrainerProcess::pump(const std::vector<TrainerProcess*>& running, int timeout_ms) {
  std::vector<pollfd> fds;
  std::vector<std::pair<TrainerProcess*, int>> owners;  // which process, which fd (0 in, 1 report, 2 output)
  for (TrainerProcess* t : running) {
    if (t->input_.is_open()) {
      fds.push_back({t->input_.get(), POLLOUT, 0});
      owners.emplace_back(t, 0);
    }
    if (t->reports_.is_open()) {
      fds.push_back({t->reports_.get(), POLLIN, 0});
      owners.emplace_back(t, 1);
    }
    if (t->output_pipe_.is_open()) {
      fds.push_back({t->output_pipe_.get(), POLLIN, 0});
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
    if (t->reports_.is_open() || t->output_pipe_.is_open()) continue;
    // Both of its outputs are closed: it has ended, or closed them and goes on (then it has
    // five seconds to end).
    if (t->eof_since_ < 0) t->eof_since_ = now_s();
    t->reap(false);
    if (!t->exited_ && now_s() - t->eof_since_ > 5.0) t->kill();
  }
}

}  // namespace bnkit::capstone
