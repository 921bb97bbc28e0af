// bnkit-adversarial-check: grades one adversarial submission and proves it did no harm.
//
//   bnkit-adversarial-check SOURCE_ROOT TESTS_BINARY WORKER.so EXPECTED_POINTS
//
//   1. snapshots every regular file of the kit (SOURCE_ROOT without build/ and .git/):
//      path, size, mtime and a hash of the content;
//   2. grades the submission's worker library with the lesson's trusted test binary;
//   3. the score must be exactly EXPECTED_POINTS (every test's status and message shown);
//   4. no kit file may have been added, changed or removed;
//   5. no process may outlive the grading: none with the worker library in its
//      /proc/PID/cmdline or /proc/PID/maps, and none owned by nobody (uid 65534) that
//      started after this check (stragglers get 2 s to go first).
// One line per check, "ok: ..." or "FAIL: ..."; exit 0 only if all five hold.
#include "grading.hpp"
#include "result_protocol.hpp"

#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace fs = std::filesystem;
using namespace bnkit::runner;

namespace {

constexpr uid_t kNobody = 65534;

struct FileState {
  std::uintmax_t size = 0;
  fs::file_time_type mtime;
  std::size_t hash = 0;
  bool operator==(const FileState& o) const { return size == o.size && mtime == o.mtime && hash == o.hash; }
};

/// The file's bytes; a file that cannot be read reads as a marker (so a file made
/// unreadable counts as changed instead of stopping the check).
std::string slurp(const fs::path& path) {
  try {
    std::ifstream in(path, std::ios::binary);
    if (!in) return "<unreadable>";
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  } catch (const std::exception& e) {
    return std::string("<unreadable: ") + e.what() + ">";
  }
}

/// Every regular file under `root` except build/ and .git/, by path relative to `root`.
std::map<std::string, FileState> snapshot(const fs::path& root) {
  std::map<std::string, FileState> files;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    const fs::path rel = fs::relative(it->path(), root);
    if (it.depth() == 0 && it->is_directory() && (rel == "build" || rel == ".git")) {
      it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file() || it->is_symlink()) continue;
    FileState s;
    s.size = it->file_size();
    s.mtime = it->last_write_time();
    s.hash = std::hash<std::string>{}(slurp(it->path()));
    files[rel.string()] = s;
  }
  return files;
}

/// Control characters (ANSI escapes, carriage returns, ...) shown as \xNN, so that what a
/// submission put in a message cannot repaint this check's own output.
std::string printable(const std::string& text, std::size_t limit = 1500) {
  std::string out;
  const std::string head = text.substr(0, limit);
  for (std::size_t i = 0; i < head.size(); ++i) {
    const auto c = static_cast<unsigned char>(head[i]);
    // C1 controls in UTF-8 (C2 80..C2 9F) include U+009B, a one-character CSI.
    const bool c1 = c == 0xc2 && i + 1 < head.size() && (static_cast<unsigned char>(head[i + 1]) & 0xe0) == 0x80;
    if (!c1 && (c == '\n' || c == '\t' || (c >= 0x20 && c != 0x7f))) {
      out += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  if (text.size() > limit) out += "[... " + std::to_string(text.size() - limit) + " more bytes]";
  return out;
}

std::string indent(const std::string& text, const std::string& pad) {
  std::string out = pad;
  for (char c : text) {
    out += c;
    if (c == '\n') out += pad;
  }
  return out;
}

/// Field `index` (1-based, as in proc(5)) of /proc/PID/stat; "" if it cannot be read.
std::string stat_field(const std::string& pid, int index) {
  const std::string stat = slurp("/proc/" + pid + "/stat");
  const auto close = stat.rfind(')');  // the command name may hold spaces
  if (close == std::string::npos) return "";
  std::istringstream rest(stat.substr(close + 2));
  std::string field;
  for (int i = 3; i <= index && rest >> field; ++i) {
  }
  return field;
}

unsigned long long start_ticks(const std::string& pid) {
  try {
    return std::stoull(stat_field(pid, 22));
  } catch (const std::exception&) {
    return 0;
  }
}

/// The real, effective, saved and filesystem uids of /proc/PID/status.
std::vector<uid_t> uids_of(const std::string& pid) {
  std::istringstream in(slurp("/proc/" + pid + "/status"));
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("Uid:", 0) != 0) continue;
    std::istringstream row(line.substr(4));
    std::vector<uid_t> uids;
    for (unsigned long u; row >> u;) uids.push_back(static_cast<uid_t>(u));
    return uids;
  }
  return {};
}

bool is_nobody(const std::string& pid) {
  for (uid_t u : uids_of(pid))
    if (u == kNobody) return true;
  return false;
}

std::string parent_of(const std::string& pid) { return stat_field(pid, 4); }

std::string cmdline_of(const std::string& pid) {
  std::string c = slurp("/proc/" + pid + "/cmdline");
  for (char& ch : c)
    if (ch == '\0') ch = ' ';
  return c;
}

/// Processes that outlived the grading of `library`: "pid: why: cmdline" per process.
std::vector<std::string> survivors(const std::vector<std::string>& library_paths, unsigned long long since) {
  // Orphans that already died came back to this check as zombies: reap them first.
  while (waitpid(-1, nullptr, WNOHANG) > 0) {
  }
  const std::string self = std::to_string(getpid());
  std::vector<std::string> found;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    const std::string pid = entry.path().filename().string();
    if (pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos || pid == self) continue;
    if (stat_field(pid, 3) == "Z") continue;  // dead, waiting for its parent to reap it
    const std::string cmdline = cmdline_of(pid);
    const std::string maps = slurp("/proc/" + pid + "/maps");
    std::string why;
    for (const std::string& lib : library_paths) {
      if (cmdline.find(lib) != std::string::npos) why = "has the worker library in its cmdline";
      else if (maps.find(lib) != std::string::npos) why = "has the worker library mapped";
      if (!why.empty()) break;
    }
    if (why.empty() && is_nobody(pid) && start_ticks(pid) >= since) {
      // Started by this check (it is the subreaper of everything it started, so an orphan
      // comes back to it), or escaped to init. A nobody process under some other live
      // grader belongs to that grader (a check running beside this one, or ./bnkit).
      std::string up = pid;
      for (int hops = 0; hops < 64 && is_nobody(up); ++hops) up = parent_of(up);
      if (up == self || up == "1" || up == "0" || up.empty()) why = "runs as nobody and started after this check";
    }
    if (!why.empty()) found.push_back(pid + ": " + why + ": " + printable(cmdline, 300));
  }
  return found;
}

}  // namespace

int main(int argc, char** argv) {
  // Instructor mode, optionally: --sandbox LEVEL --oracle REFERENCE.so --expect-hidden N
  // grades the hidden tests too (fresh seed) and checks the hidden points apart.
  std::string sandbox_level, oracle;
  int expected_hidden = -1;
  bool no_diagnosis = false;  // --no-diagnosis: no test may name a mistake
  std::vector<std::string> positional;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--sandbox" && i + 1 < argc) sandbox_level = argv[++i];
    else if (a == "--oracle" && i + 1 < argc) oracle = argv[++i];
    else if (a == "--expect-hidden" && i + 1 < argc) expected_hidden = std::stoi(argv[++i]);
    else if (a == "--no-diagnosis") no_diagnosis = true;
    else positional.push_back(a);
  }
  if (positional.size() != 4 || oracle.empty() != (expected_hidden < 0)) {
    std::cerr << "usage: bnkit-adversarial-check SOURCE_ROOT TESTS_BINARY WORKER.so EXPECTED_VISIBLE_POINTS\n"
                 "         [--sandbox full|basic] [--oracle REFERENCE.so --expect-hidden POINTS] [--no-diagnosis]\n";
    return 2;
  }
  const fs::path root = fs::canonical(positional[0]);
  const std::string tests_binary = positional[1];
  const std::string library = positional[2];
  const int expected = std::stoi(positional[3]);
  // Orphans of anything this check starts come back to it, not to init: check 5 sees them.
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  const unsigned long long began = start_ticks(std::to_string(getpid()));
  int failures = 0;
  auto verdict = [&](bool ok, const std::string& what) {
    std::cout << (ok ? "ok: " : "FAIL: ") << what << "\n";
    failures += ok ? 0 : 1;
  };

  if (!fs::exists(library)) {
    verdict(false, "the worker library " + library + " does not exist (not built?)");
    return 1;
  }
  const auto before = snapshot(root);
  verdict(!before.empty(), "snapshot of " + std::to_string(before.size()) + " kit files under " + root.string());

  // Grade, as the runner does, in a scratch folder of its own.
  GradingOptions options;
  options.timeout_s = 40.0;
  options.scratch_dir =
      (fs::temp_directory_path() / ("bnkit-adversarial-" + fs::path(library).stem().string() + "-" +
                                    std::to_string(getpid())))
          .string();
  options.extra_args = {std::string(bnkit::protocol::kWorkerFlag) + library};
  if (!sandbox_level.empty()) options.extra_args.push_back(std::string(bnkit::protocol::kSandboxFlag) + sandbox_level);
  if (!oracle.empty()) {
    const auto seed = std::chrono::steady_clock::now().time_since_epoch().count() % 1000000007;
    std::cout << "instructor mode, hidden seed " << seed << "\n";
    options.hidden = true;
    options.extra_args.push_back(std::string(bnkit::protocol::kOracleFlag) + oracle);
    options.extra_args.push_back(std::string(bnkit::protocol::kSeedFlag) + std::to_string(seed));
  }
  const auto t0 = std::chrono::steady_clock::now();
  const LessonResult lesson = grade_binary(fs::path(library).stem().string(), tests_binary, options);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::error_code ec;
  fs::remove_all(options.scratch_dir, ec);

  std::cout << "graded in " << static_cast<int>(seconds + 0.5) << " s: " << to_string(lesson.status) << "\n";
  for (const TestResult& t : lesson.tests) {
    std::cout << "  " << t.name << " [" << t.earned() << "/" << t.points << "]: " << to_string(t.status)
              << (t.diagnosis.empty() ? "" : " [" + t.diagnosis + "]") << "\n";
    if (!t.message.empty()) std::cout << indent(printable(t.message), "      ") << "\n";
    if (!t.output.empty()) std::cout << "      printed:\n" << indent(printable(t.output, 200), "        ") << "\n";
  }
  if (!lesson.detail.empty()) std::cout << indent(printable(lesson.detail), "  ") << "\n";
  verdict(lesson.earned(false) == expected && !lesson.tests.empty(),
          "earned " + std::to_string(lesson.earned(false)) + " of " + std::to_string(lesson.possible(false)) +
              " visible points, expected " + std::to_string(expected));
  if (no_diagnosis) {
    int named = 0;
    for (const TestResult& t : lesson.tests) named += t.diagnosis.empty() ? 0 : 1;
    verdict(named == 0, std::to_string(named) + " tests named a mistake, expected none");
  }
  if (expected_hidden >= 0) {
    verdict(lesson.possible(true) > 0 && lesson.earned(true) == expected_hidden,
            "earned " + std::to_string(lesson.earned(true)) + " of " + std::to_string(lesson.possible(true)) +
                " hidden points, expected " + std::to_string(expected_hidden));
  }

  // No kit file added, changed or removed.
  const auto after = snapshot(root);
  int changed = 0;
  for (const auto& [path, state] : before) {
    const auto it = after.find(path);
    if (it == after.end()) std::cout << "  removed: " << path << "\n";
    else if (!(it->second == state)) std::cout << "  changed: " << path << "\n";
    else continue;
    ++changed;
  }
  for (const auto& [path, state] : after) {
    if (before.count(path)) continue;
    std::cout << "  added: " << path << "\n";
    ++changed;
  }
  verdict(changed == 0, std::to_string(changed) + " kit files added, changed or removed");

  // Nothing outlives the grading (stragglers get 2 s).
  std::vector<std::string> paths = {library};
  if (const fs::path canon = fs::weakly_canonical(library, ec); !ec && canon.string() != library) {
    paths.push_back(canon.string());
  }
  std::vector<std::string> alive;
  for (int i = 0; i < 20; ++i) {
    alive = survivors(paths, began);
    if (alive.empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  for (const std::string& p : alive) std::cout << "  still running: " << p << "\n";
  verdict(alive.empty(), std::to_string(alive.size()) + " processes outlived the grading");
  return failures == 0 ? 0 : 1;
}
