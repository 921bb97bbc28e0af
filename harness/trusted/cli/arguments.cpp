#include "arguments.hpp"

#include <algorithm>
#include <cstdlib>
#include <iostream>

namespace bnkit::cli {

namespace {

/// "--reference, --seed N, --json FILE": the flags as the help writes them.
std::string valid_flags(const CLI::App& app) {
  std::string out;
  for (const CLI::Option* opt : app.get_options()) {
    if (opt == app.get_help_ptr() || opt->get_positional()) continue;
    const std::string value = opt->get_type_name();
    out += (out.empty() ? "" : ", ") + opt->get_name() + (value.empty() ? "" : " " + value);
  }
  return out;
}

bool has_positional(const CLI::App& app) {
  const auto options = app.get_options();
  return std::any_of(options.begin(), options.end(), [](const CLI::Option* o) { return o->get_positional(); });
}

}  // namespace

int usage_error(const std::string& message) {
  std::cerr << "bnkit: " << message << "\n";
  return 2;
}

void setup_parser(CLI::App& app, const std::string& command) {
  app.name("./bnkit " + command);
  app.set_help_flag("-h,--help", "show this command's help");
}

Parsed parse_arguments(CLI::App& app, const std::string& command, const Args& args, std::string& error) {
  std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 takes them last first
  try {
    app.parse(reversed);
    return Parsed::kOk;
  } catch (const CLI::CallForHelp&) {
    std::cout << app.help();
    return Parsed::kHelp;
  } catch (const CLI::ExtrasError&) {
    const std::vector<std::string> extras = app.remaining();
    const std::string first = extras.empty() ? "" : extras.front();
    if (!first.empty() && first[0] == '-') {
      const std::string flags = valid_flags(app);
      error = "unknown flag '" + first + "' for " + command + ". " +
              (flags.empty() ? "It takes no flags" : "Valid flags: " + flags);
    } else {
      error = command + (has_positional(app) ? " does not take '" + first + "'" : " takes no arguments");
    }
  } catch (const CLI::ArgumentMismatch& e) {
    // A flag without its value, e.g. `--json` at the end.
    const CLI::Option* opt = args.empty() ? nullptr : app.get_option_no_throw(args.back());
    error = opt && !opt->get_type_name().empty()
                ? opt->get_name() + " needs a value: " + opt->get_name() + " " + opt->get_type_name()
                : command + ": " + e.what();
  } catch (const CLI::ParseError& e) {
    error = command + ": " + e.what();
  }
  return Parsed::kError;
}

std::optional<long long> whole_number(const std::string& text, long long low, long long high) {
  if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  const long long n = std::stoll(text);
  if (n < low || n > high) return std::nullopt;
  return n;
}

std::optional<double> number_above(const std::string& text, double low, double high) {
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !(v > low) || !(v <= high)) return std::nullopt;
  return v;
}

}  // namespace bnkit::cli
