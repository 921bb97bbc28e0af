// bnkit-capstone: `./bnkit capstone` and `./bnkit bench capstone`, a program of its own so
// that the grading CLI does not compile the capstone's driver. bnkit-cli builds it on demand
// and hands over (capstone_tool.cpp):
//   bnkit-capstone capstone ARGS...        bnkit-capstone bench-capstone ARGS...
#include "commands.hpp"

#include <iostream>
#include <string>


int main(int argc, char** argv) {
  using namespace bnkit::cli;
  const std::string command = argc >= 2 ? argv[1] : "";
  const Args args(argv + (argc >= 2 ? 2 : 1), argv + argc);
  try {
    if (command == "capstone") return capstone_command(args);
    if (command == "bench-capstone") return bench_capstone_command(args);
  } catch (const std::exception& e) {
    std::cerr << "bnkit: " << e.what() << "\n";
    return 1;
  }
  std::cerr << "usage: bnkit-capstone capstone|bench-capstone ARGS... (run through ./bnkit)\n";
  return 2;
}
