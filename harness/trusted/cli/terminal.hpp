// Terminal output: colours only on a terminal (and never with NO_COLOR), Unicode bars only
// in a UTF-8 locale.
#pragma once

#include <string>

namespace bnkit::cli {

/// Text from a submission, safe for a terminal: escape sequences and control characters
/// (all but newline and tab) become "?", so no output can move the cursor, recolour the
/// screen or forge a line of the report.
std::string printable(const std::string& text);

class Style {
 public:
  Style();
  std::string green(const std::string& s) const { return wrap("32", s); }
  std::string red(const std::string& s) const { return wrap("31", s); }
  std::string yellow(const std::string& s) const { return wrap("33", s); }
  std::string dim(const std::string& s) const { return wrap("2", s); }
  std::string bold(const std::string& s) const { return wrap("1", s); }
  /// A progress bar `width` cells wide, filled `earned / possible`.
  std::string bar(int earned, int possible, int width = 20) const;
  bool unicode() const { return unicode_; }

 private:
  std::string wrap(const char* code, const std::string& s) const {
    return color_ ? "\033[" + std::string(code) + "m" + s + "\033[0m" : s;
  }
  bool color_ = false;
  bool unicode_ = false;
};

}  // namespace bnkit::cli
