// `./bnkit capstone` and `./bnkit bench capstone` in bnkit-cli: build bnkit-capstone (the
// capstone's driver, capstone_main.cpp) when it is missing or stale, then become it.
#include "build.hpp"
#include "commands.hpp"
#include "paths.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>

namespace bnkit::cli {

namespace {

int run_capstone_tool(const std::string& command, const Args& args) {
  const std::string program = build_dir() + "/harness/trusted/cli/bnkit-capstone";
  if (!std::filesystem::exists(program)) std::cerr << "bnkit: building the capstone driver (first run only) ...\n";
  if (const BuildResult built = build_targets({"bnkit-capstone"}, "harness/"); !built.ok) {
    std::cerr << "bnkit: the capstone driver does not build (a kit bug):\n" << built.errors << "\n";
    return 1;
  }
  std::vector<std::string> words = {program, command};
  words.insert(words.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  std::cout.flush();
  execv(program.c_str(), argv.data());
  std::cerr << "bnkit: cannot run " << program << ": " << std::strerror(errno) << "\n";
  return 1;
}

}  // namespace

int capstone_command(const Args& args) { return run_capstone_tool("capstone", args); }
int bench_capstone_command(const Args& args) { return run_capstone_tool("bench-capstone", args); }

}  // namespace bnkit::cli
