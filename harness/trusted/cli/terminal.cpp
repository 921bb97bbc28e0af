#include "terminal.hpp"

#include <cstdlib>
#include <cstring>
#include <unistd.h>

namespace bnkit::cli {

Style::Style() {
  color_ = isatty(STDOUT_FILENO) && std::getenv("NO_COLOR") == nullptr;
  for (const char* var : {"LC_ALL", "LC_CTYPE", "LANG"}) {
    const char* v = std::getenv(var);
    if (v && *v) {
      unicode_ = std::strstr(v, "UTF-8") || std::strstr(v, "utf8") || std::strstr(v, "UTF8");
      break;
    }
  }
}

std::string printable(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    // C1 controls (U+0080..U+009F, UTF-8 C2 80..C2 9F) include U+009B, a one-character CSI.
    if (c == 0xC2 && i + 1 < text.size() && (static_cast<unsigned char>(text[i + 1]) & 0xE0) == 0x80) {
      out += '?';
      ++i;
      continue;
    }
    const bool control = (c < 0x20 && c != '\n' && c != '\t') || c == 0x7f;
    out += control ? '?' : static_cast<char>(c);
  }
  return out;
}

std::string Style::bar(int earned, int possible, int width) const {
  const int filled = possible > 0 ? earned * width / possible : 0;
  std::string full, empty;
  for (int i = 0; i < width; ++i) (i < filled ? full : empty) += unicode_ ? "█" : "#";
  if (!unicode_) {
    for (char& c : empty) c = '.';
  } else {
    empty.clear();
    for (int i = filled; i < width; ++i) empty += "░";
  }
  return green(full) + dim(empty);
}

}  // namespace bnkit::cli
