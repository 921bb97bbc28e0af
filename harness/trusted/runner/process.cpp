#include "process.hpp"

#include <fcntl.h>
#include <sys/wait.h>

#include <chrono>
#include <fstream>
#include <system_error>
#include <thread>

namespace bnkit::runner {

namespace {
double now_s() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}
}  // namespace

Child::Child(const std::vector<std::string>& argv, const std::string& output_path,
             double timeout_s)
    : start_(now_s()), timeout_s_(timeout_s) {
  const process::Fd out(open(output_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  process::Spawn spawn;
  spawn.argv = argv;
  spawn.fds = {-1, out.get(), out.get()};
  try {
    if (out.is_open()) child_.emplace(spawn);
  } catch (const std::system_error&) {
  }
  if (!child_) {
    done_ = true;
    outcome_.kind = ProcessOutcome::Kind::kCouldNotStart;
  }
}

bool Child::poll() {
  if (done_) return true;
  const std::optional<int> status = child_->try_wait();
  outcome_.seconds = now_s() - start_;
  if (status) {
    done_ = true;
    if (WIFEXITED(*status)) {
      outcome_.kind = ProcessOutcome::Kind::kExited;
      outcome_.code = WEXITSTATUS(*status);
    } else {
      outcome_.kind = ProcessOutcome::Kind::kSignalled;
      outcome_.code = WTERMSIG(*status);
    }
    return true;
  }
  if (outcome_.seconds > timeout_s_) {
    child_->kill();
    child_->wait();
    done_ = true;
    outcome_.kind = ProcessOutcome::Kind::kTimedOut;
    return true;
  }
  return false;
}

ProcessOutcome run_process(const std::vector<std::string>& argv, const std::string& output_path,
                           double timeout_s) {
  Child child(argv, output_path, timeout_s);
  while (!child.poll()) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  return child.outcome();
}

double Child::elapsed() const { return now_s() - start_; }

std::string read_file(const std::string& path, std::size_t max_bytes) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return "";
  const auto size = static_cast<std::size_t>(in.tellg());
  auto chunk = [&](std::size_t from, std::size_t n) {
    std::string s(n, '\0');
    in.seekg(static_cast<std::streamoff>(from));
    in.read(s.data(), static_cast<std::streamsize>(n));
    s.resize(static_cast<std::size_t>(in.gcount()));
    return s;
  };
  if (size <= max_bytes) return chunk(0, size);
  const std::size_t half = max_bytes / 2;
  return chunk(0, half) + "\n[... " + std::to_string(size - 2 * half) + " bytes left out ...]\n" +
         chunk(size - half, half);
}

}  // namespace bnkit::runner
