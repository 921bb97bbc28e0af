// Every command's arguments are parsed by CLI11 (Debian's libcli11-dev), which also writes
// each command's --help. This adds the kit's words for the errors: an unknown flag is named
// with the command's valid flags (the list comes from the declared options), a missing value
// names the flag and what it takes.
#pragma once

#include "commands.hpp"

#include <CLI/CLI.hpp>

#include <optional>
#include <string>

namespace bnkit::cli {

/// The parser of `./bnkit COMMAND`, for options to be declared on.
void setup_parser(CLI::App& app, const std::string& command);

/// What `parse_arguments` found.
enum class Parsed { kOk, kHelp, kError };

/// Parses `args` (what follows the command's name). kHelp: the command's help was printed
/// (exit 0). kError: `error` is the message (exit 2 through usage_error).
Parsed parse_arguments(CLI::App& app, const std::string& command, const Args& args, std::string& error);

/// `text` as a whole number from `low` to `high` (digits only), or nothing.
std::optional<long long> whole_number(const std::string& text, long long low, long long high);

/// `text` as a number from `low` (excluded) to `high` (included), or nothing.
std::optional<double> number_above(const std::string& text, double low, double high);

}  // namespace bnkit::cli
