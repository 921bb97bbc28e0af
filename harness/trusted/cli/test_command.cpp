// bnkit test: the kit's own test suite. Builds everything, then hands over to ctest, so the
// last lines printed are ctest's summary.
#include "arguments.hpp"
#include "commands.hpp"
#include "paths.hpp"
#include "process.hpp"

#include <iostream>
#include <unistd.h>

namespace bnkit::cli {

int test_command(const Args& args) {
  bool verbose = false;
  CLI::App app{"The kit's own test suite: builds everything, then runs ctest (for kit developers and CI)."};
  setup_parser(app, "test");
  app.add_flag("--verbose", verbose, "ctest's full output (-V)");
  std::string error;
  if (const Parsed p = parse_arguments(app, "test", args, error); p != Parsed::kOk) {
    return p == Parsed::kHelp ? 0 : usage_error(error);
  }
  std::cout << "bnkit test: building the kit (every lesson, reference, mutant and tool) ..." << std::endl;
  const std::string log = build_dir() + "/bnkit-build-all.log";
  const auto built = runner::run_process({cmake_program(), "--build", build_dir()}, log, 3600.0);
  if (built.kind != runner::ProcessOutcome::Kind::kExited || built.code != 0) {
    std::cout << runner::read_file(log) << "\nbnkit test: the build failed (log: " << log << ")" << std::endl;
    return 1;
  }
  std::vector<std::string> argv = {ctest_program(), "--test-dir", build_dir(), "--output-on-failure",
                                   "--no-tests=error", "-j", "2"};
  if (verbose) argv.push_back("-V");
  std::vector<char*> c_argv;
  for (auto& a : argv) c_argv.push_back(a.data());
  c_argv.push_back(nullptr);
  execv(c_argv[0], c_argv.data());
  std::cerr << "bnkit: cannot run " << argv[0] << "\n";
  return 1;
}

}  // namespace bnkit::cli
