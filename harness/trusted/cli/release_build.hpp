// build/release: the optimised build of its own (CMake's `release` preset) that `./bnkit
// bench` and `./bnkit capstone` build their programs in, configured on demand. Nothing here
// touches grades or build/<preset>.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace bnkit::cli {

/// The line "KEY:TYPE=VALUE" of a CMake cache, as VALUE.
std::optional<std::string> cache_value(const std::string& cache, const std::string& key);

/// True when the build's CMake cache found Google Benchmark.
bool benchmark_found(const std::string& build);

/// Runs `argv`, its output into `log`; on failure prints the log's end and says what failed.
bool run_logged(const std::vector<std::string>& argv, const std::string& log, double timeout_s,
                const std::string& what);

/// Configures `build` (build/release) with the `release` preset unless it is configured for
/// this checkout already; `need_benchmark`: also when that configuration has not found Google
/// Benchmark (installed since?). `command` names the caller in what it prints ("bench").
bool configure_release(const std::string& build, const std::string& command, bool need_benchmark);

}  // namespace bnkit::cli
