#include "process.hpp"

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

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
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_ = fork();
  if (pid_ == 0) {
    setpgid(0, 0);
    int out = open(output_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int in = open("/dev/null", O_RDONLY);
    if (out >= 0) {
      dup2(out, STDOUT_FILENO);
      dup2(out, STDERR_FILENO);
    }
    if (in >= 0) dup2(in, STDIN_FILENO);
    execv(args[0], args.data());
    std::fprintf(stderr, "cannot run %s: %s\n", args[0], std::strerror(errno));
    _exit(127);
  }
  if (pid_ < 0) {
    done_ = true;
    outcome_.kind = ProcessOutcome::Kind::kCouldNotStart;
  } else {
    setpgid(pid_, pid_);  // both sides set it, so there is no race with the kill below
  }
}

Child::~Child() {
  if (!done_ && pid_ > 0) {
    kill(-pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

bool Child::poll() {
  if (done_) return true;
  int status = 0;
  const pid_t r = waitpid(pid_, &status, WNOHANG);
  outcome_.seconds = now_s() - start_;
  if (r == pid_) {
    done_ = true;
    kill(-pid_, SIGKILL);  // anything the test left running in its group
    if (WIFEXITED(status)) {
      outcome_.kind = ProcessOutcome::Kind::kExited;
      outcome_.code = WEXITSTATUS(status);
    } else {
      outcome_.kind = ProcessOutcome::Kind::kSignalled;
      outcome_.code = WTERMSIG(status);
    }
    return true;
  }
  if (outcome_.seconds > timeout_s_) {
    kill(-pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
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

std::string signal_name(int sig) {
  switch (sig) {
    case SIGSEGV: return "SIGSEGV (segmentation fault: memory out of bounds?)";
    case SIGABRT: return "SIGABRT (abort: a failed assertion, e.g. Eigen's size checks?)";
    case SIGFPE: return "SIGFPE (arithmetic error: integer division by zero?)";
    case SIGBUS: return "SIGBUS (bus error)";
    case SIGILL: return "SIGILL (illegal instruction)";
    case SIGKILL: return "SIGKILL (killed)";
    default: return "signal " + std::to_string(sig) + " (" + strsignal(sig) + ")";
  }
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
