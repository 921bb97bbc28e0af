// The bnkit commands. Each takes its own arguments (after the command name) and returns
// the process exit code.
#pragma once

#include <string>
#include <vector>

namespace bnkit::cli {

using Args = std::vector<std::string>;

int grade_command(const Args& args);
int list_command(const Args& args);
int hint_command(const Args& args);
int test_command(const Args& args);
int bench_command(const Args& args);
int capstone_command(const Args& args);
/// `bench capstone`: the reference capstone against PyTorch (bench_capstone.cpp).
int bench_capstone_command(const Args& args);

/// Prints "bnkit: <message>" to stderr and returns 2 (the exit code for a usage error).
int usage_error(const std::string& message);

}  // namespace bnkit::cli
