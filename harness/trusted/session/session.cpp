#include "session.hpp"

#include "eigen_failure_report.hpp"

#include "bnkit/todo.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <functional>
#include <new>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <system_error>

namespace bnkit::boundary {

namespace {

double now_s() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

/// A text from the worker, cut to kMaxTextBytes. (It is only ever text: a diagnosis is
/// made of evidence the trusted checks record, so nothing a submission writes can name one.)
std::string bounded(std::string text) {
  if (text.size() <= kMaxTextBytes) return text;
  const std::size_t cut = text.size() - kMaxTextBytes;
  text.resize(kMaxTextBytes);
  return text + " [... " + std::to_string(cut) + " more bytes cut]";
}

/// The last `n` lines of a text ("" stays "").
std::string last_lines(const std::string& text, int n) {
  std::size_t pos = text.size();
  for (int i = 0; i < n && pos > 0; ++i) {
    const std::size_t nl = text.rfind('\n', pos - 1);
    if (nl == std::string::npos) return text;
    pos = nl;
  }
  return pos < text.size() ? text.substr(pos + 1) : text;
}

/// Describes the arguments of the call in flight, for a failed Eigen check (set by
/// call_worker for the length of one call).
const std::function<std::string()>* g_describe_arguments = nullptr;

/// Runs `argv` (a tool of ours, outside the sandbox: addr2line reads our own copy of the
/// worker library) and returns what it printed on stdout, or nullopt if it failed, printed
/// more than 4 MiB or took longer than `timeout_s`.
std::optional<std::string> run_tool(const std::vector<std::string>& argv, double timeout_s) {
  std::optional<process::Pipe> out;
  std::optional<process::Child> tool;
  try {
    out = process::make_pipe();
    process::Spawn spawn;
    spawn.argv = argv;
    spawn.fds = {-1, out->write.get(), -1};
    spawn.search_path = true;
    tool.emplace(spawn);
  } catch (const std::system_error&) {
    return std::nullopt;
  }
  out->write.reset();
  process::set_nonblocking(out->read);
  std::string text;
  const double deadline = now_s() + timeout_s;
  bool finished = false;
  while (!finished && now_s() < deadline && text.size() < (std::size_t{4} << 20)) {
    pollfd fd{out->read.get(), POLLIN, 0};
    poll(&fd, 1, 50);
    char buf[65536];
    for (;;) {
      const ssize_t n = read(out->read.get(), buf, sizeof buf);
      if (n > 0) text.append(buf, static_cast<std::size_t>(n));
      if (n == 0) finished = true;
      if (n <= 0) break;
    }
  }
  tool->kill();
  const int status = tool->wait();
  if (!finished || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return std::nullopt;
  return text;
}

/// "batch_statistics() stopped on an Eigen size check at lessons/...cpp:23: ...", or "" if
/// `reason` is not an Eigen-check record.
std::string eigen_check_message(const std::string& call, const std::string& reason, const std::string& library) {
  const std::optional<EigenCheck> check = parse_eigen_check(reason);
  if (!check) return "";
  std::vector<std::string> argv = {BNKIT_ADDR2LINE, "-a", "-f", "-C", "-e", library};
  for (const std::uint64_t offset : check->offsets) {
    std::ostringstream hex;
    hex << "0x" << std::hex << offset;
    argv.push_back(hex.str());
  }
  // A library addr2line once failed on is not tried again (a test may fail the same way in
  // dozens of cases); without frames, the message names Eigen's line instead.
  static std::set<std::string> addr2line_failed;
  std::vector<SourceFrame> frames;
  if (!check->offsets.empty() && addr2line_failed.count(library) == 0) {
    const std::optional<std::string> output = run_tool(argv, 20.0);
    if (output) frames = parse_addr2line(*output);
    else addr2line_failed.insert(library);
  }
  std::string arguments;
  if (g_describe_arguments && *g_describe_arguments) {
    try {
      arguments = (*g_describe_arguments)();
    } catch (const std::exception&) {
      arguments.clear();
    }
  }
  return eigen_failure_message(call, *check, frames, BNKIT_SOURCE_DIR, arguments);
}

}  // namespace

void Worker::start() {
  std::optional<process::Pipe> request, reply, output;
  try {
    request = process::make_pipe();
    reply = process::make_pipe();
    output = process::make_pipe();
  } catch (const std::system_error& e) {
    throw CallFailed(std::string("cannot create pipes for the worker: ") + e.what());
  }
  const process::Fd library(open(config_.library.c_str(), O_RDONLY | O_CLOEXEC));
  if (!library.is_open()) {
    throw CallFailed("cannot open the worker library " + config_.library + ": " + std::strerror(errno) +
                     " (build it first)");
  }
  sandbox::Command command{{config_.worker_exe, "/proc/self/fd/" + std::to_string(kLibraryFd)}, {config_.worker_exe}};
  try {
    process_.emplace(sandbox::launch(command,
                                     {-1, output->write.get(), output->write.get(), request->read.get(),
                                      reply->write.get(), library.get()},
                                     config_.level, config_.limits));
  } catch (const std::system_error& e) {
    throw CallFailed(std::string("cannot start the worker: ") + e.what());
  }
  // The worker's ends close here, with the pipes: it holds its own copies.
  request_ = std::move(request->write);
  reply_ = std::move(reply->read);
  output_pipe_ = std::move(output->read);
  dying_reason_.clear();
  process::set_nonblocking(request_);
  process::set_nonblocking(output_pipe_);
}

void Worker::stop() {
  process_.reset();  // kills its group and reaps it
  request_.reset();
  reply_.reset();
  output_pipe_.reset();
}

void Worker::drain_output() {
  char buf[8192];
  for (;;) {
    const ssize_t n = read(output_pipe_.get(), buf, sizeof buf);
    if (n <= 0) return;
    const std::size_t room = config_.output_limit > output_.size() ? config_.output_limit - output_.size() : 0;
    const std::size_t keep = std::min(room, static_cast<std::size_t>(n));
    output_.append(buf, keep);
    dropped_ += static_cast<std::size_t>(n) - keep;
  }
}

std::string Worker::output() const {
  if (dropped_ == 0) return output_;
  return output_ + "\n[... " + std::to_string(dropped_) + " more bytes of output dropped]\n";
}

void Worker::fail(const std::string& call, const std::string& what) {
  // Give a dying worker a moment to finish dying, so its signal can be named.
  std::optional<int> ended;
  for (int i = 0; i < 200 && !(ended = process_->try_wait()); ++i) usleep(5000);
  const bool reaped = ended.has_value();
  const int status = ended.value_or(0);
  // A failed Eigen check: one sentence with the student's line, instead of the signal.
  const std::string eigen = what.empty() ? eigen_check_message(call, dying_reason_, config_.library) : "";
  std::string how = what;
  if (!eigen.empty()) {
    dying_reason_.clear();
  } else if (how.empty() && reaped) {
    int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 0;
    // bubblewrap reports a signal that killed its child as exit code 128 + signal.
    if (config_.level == sandbox::Level::kFull && code > 128 && code < 160) sig = code - 128;
    if (sig != 0 && !dying_reason_.empty()) how = "crashed with " + std::string(sigabbrev_np(sig) ? "SIG" : "") + (sigabbrev_np(sig) ? sigabbrev_np(sig) : "a signal");
    else if (sig != 0) how = "crashed with " + process::describe_signal(sig);
    else if (!dying_reason_.empty()) how = "could not run";
    else how = "exited with code " + std::to_string(code) + " (exit(), std::exit or quick_exit in the code?)";
  } else if (how.empty()) {
    how = "stopped answering";
  }
  if (!dying_reason_.empty()) how += ": " + dying_reason_;
  drain_output();
  const std::string tail = last_lines(output_, 6);
  stop();
  std::string message = eigen.empty() ? call + " " + how : eigen;
  if (!tail.empty()) {
    message += "\n  its last output:";
    std::size_t start = 0;
    while (start < tail.size()) {
      const std::size_t end = tail.find('\n', start);
      message += "\n    " + tail.substr(start, end == std::string::npos ? std::string::npos : end - start);
      if (end == std::string::npos) break;
      start = end + 1;
    }
  }
  throw CallFailed(message);
}

Reply Worker::call(const std::string& name, const std::string& args) {
  if (!process_) start();
  const std::string out = frame(encode_request(name, args));

  const std::string call = name + "()";
  const double deadline = now_s() + config_.call_timeout_s;
  std::size_t sent = 0;
  std::string in;
  std::uint64_t want = 0;
  bool have_length = false;
  for (;;) {
    const double left = deadline - now_s();
    if (left <= 0) {
      std::ostringstream limit;
      limit << config_.call_timeout_s;
      fail(call, "did not return within " + limit.str() + " s (an endless loop, or far too much work?)");
    }
    pollfd fds[3] = {{reply_.get(), POLLIN, 0}, {output_pipe_.get(), POLLIN, 0}, {request_.get(), POLLOUT, 0}};
    const int nfds = sent < out.size() ? 3 : 2;
    const int ready = poll(fds, static_cast<nfds_t>(nfds), static_cast<int>(std::min(left, 0.25) * 1000) + 1);
    if (ready < 0 && errno != EINTR) fail(call, "could not be waited for");
    if (fds[1].revents) drain_output();
    if (nfds == 3 && (fds[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
      const ssize_t n = write(request_.get(), out.data() + sent, out.size() - sent);
      if (n > 0) sent += static_cast<std::size_t>(n);
      else if (n < 0 && errno != EAGAIN && errno != EINTR) fail(call, "");
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      char buf[65536];
      const ssize_t n = read(reply_.get(), buf, sizeof buf);
      if (n <= 0) fail(call, "");
      in.append(buf, static_cast<std::size_t>(n));
      for (;;) {
        if (!have_length && in.size() >= sizeof want) {
          std::memcpy(&want, in.data(), sizeof want);
          in.erase(0, sizeof want);
          have_length = true;
          if (want > kMaxFrameBytes) fail(call, "sent a reply larger than 256 MiB");
        }
        if (!have_length || in.size() < want) break;
        const std::string body_bytes = in.substr(0, want);
        in.erase(0, want);
        have_length = false;
        Reply reply;
        try {
          reply = decode_reply(body_bytes);
          reply.type = bounded(reply.type);
          reply.message = bounded(reply.message);
        } catch (const WireError& e) {
          fail(call, std::string("sent a reply that cannot be read (") + e.what() + ")");
        }
        if (reply.status == Status::kDying) {
          dying_reason_ = reply.message;
          continue;  // the worker is about to die: wait for that, then say why
        }
        drain_output();
        return reply;
      }
    }
  }
}

namespace {

std::unique_ptr<Worker> g_under_test, g_oracle;
int g_oracle_scopes = 0;

}  // namespace

void set_code_under_test(WorkerConfig config) { g_under_test = std::make_unique<Worker>(std::move(config)); }
void set_oracle(WorkerConfig config) { g_oracle = std::make_unique<Worker>(std::move(config)); }
bool has_oracle() { return g_oracle != nullptr; }
std::string code_under_test_output() { return g_under_test ? g_under_test->output() : ""; }

OracleScope::OracleScope() {
  if (!g_oracle) throw std::logic_error("no oracle: hidden tests run only with --bnkit-oracle");
  ++g_oracle_scopes;
}
OracleScope::~OracleScope() { --g_oracle_scopes; }

Reply call_worker(const std::string& name, const std::string& args,
                  const std::function<std::string()>& describe_arguments) {
  Worker* worker = g_oracle_scopes > 0 ? g_oracle.get() : g_under_test.get();
  if (!worker) throw std::logic_error("no worker: run the test binary with --bnkit-worker=LIB");
  struct Scope {
    explicit Scope(const std::function<std::string()>* d) { g_describe_arguments = d; }
    ~Scope() { g_describe_arguments = nullptr; }
  } scope(&describe_arguments);
  return worker->call(name, args);
}

void rethrow(const Reply& reply, const std::string& call) {
  const std::string& m = reply.message;
  switch (reply.status) {
    case Status::kTodo: {
      const std::string prefix = "not implemented yet: ";
      throw NotImplemented(m.rfind(prefix, 0) == 0 ? m.substr(prefix.size()) : m);
    }
    case Status::kUnknown:
      throw CallFailed(call + " is not in the worker library: it was built from another lesson?");
    case Status::kBadRequest:
      throw CallFailed(call + ": the worker could not read its arguments (" + m + "): a kit bug");
    case Status::kReturned:
    case Status::kDying:
      throw CallFailed(call + ": unexpected reply");
    case Status::kThrew:
      break;
  }
  // Rethrown as the standard class it is (a student's class derived from
  // std::invalid_argument is caught as one, as it would be in one process).
  const std::string& t = reply.base;
  if (t == "std::invalid_argument") throw std::invalid_argument(m);
  if (t == "std::domain_error") throw std::domain_error(m);
  if (t == "std::length_error") throw std::length_error(m);
  if (t == "std::out_of_range") throw std::out_of_range(m);
  if (t == "std::logic_error") throw std::logic_error(m);
  if (t == "std::range_error") throw std::range_error(m);
  if (t == "std::overflow_error") throw std::overflow_error(m);
  if (t == "std::underflow_error") throw std::underflow_error(m);
  if (t == "std::runtime_error") throw std::runtime_error(m);
  if (t == "std::bad_alloc") {
    throw CallFailed(call + "() ran out of memory (" + reply.type + "): the worker may use at most " +
                     std::to_string(sandbox::Limits{}.address_space_bytes >> 20) + " MiB");
  }
  throw ForeignException(reply.type, m);
}

}  // namespace bnkit::boundary
