// Terminal output: colours only on a terminal (and never with NO_COLOR), Unicode bars only
// in a UTF-8 locale.
#pragma once

#include <fmt/color.h>

#include <string>

namespace bnkit::cli {

/// Text from a submission, safe for a terminal: escape sequences and control characters
/// (all but newline and tab) become "?", so no output can move the cursor, recolour the
/// screen or forge a line of the report.
std::string printable(const std::string& text);

/// Clears the terminal line the cursor is on and goes to its start, for a progress line that
/// the next one replaces.
inline constexpr const char* kClearLine = "\r\033[K";

/// Colours and emphasis through {fmt} (fmt/color.h), only where colour is wanted.
class Style {
 public:
  Style();
  std::string green(const std::string& s) const { return wrap(fmt::fg(fmt::terminal_color::green), s); }
  std::string red(const std::string& s) const { return wrap(fmt::fg(fmt::terminal_color::red), s); }
  std::string yellow(const std::string& s) const { return wrap(fmt::fg(fmt::terminal_color::yellow), s); }
  std::string dim(const std::string& s) const { return wrap(fmt::emphasis::faint, s); }
  std::string bold(const std::string& s) const { return wrap(fmt::emphasis::bold, s); }
  /// A progress bar `width` cells wide, filled `earned / possible`.
  std::string bar(int earned, int possible, int width = 20) const;
  bool unicode() const { return unicode_; }

 private:
  std::string wrap(const fmt::text_style& style, const std::string& s) const {
    return color_ ? fmt::format(style, "{}", s) : s;
  }
  bool color_ = false;
  bool unicode_ = false;
};

}  // namespace bnkit::cli
