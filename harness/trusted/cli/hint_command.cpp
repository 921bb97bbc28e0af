// bnkit hint LESSON [--level N]: progressive hints, one level at a time.
#include "arguments.hpp"
#include "commands.hpp"
#include "lesson_args.hpp"
#include "terminal.hpp"

#include <iostream>

namespace bnkit::cli {

int hint_command(const Args& args) {
  std::vector<std::string> names;
  std::string level_text;
  CLI::App app{"Shows a lesson's hints, one level at a time (level 1 first)."};
  setup_parser(app, "hint");
  app.add_option("--level", level_text, "the hint level (default 1)")->type_name("N");
  app.add_option("LESSON", names, "01 or 1, 01_batch_statistics or batch_statistics")->type_name("");
  std::string error;
  if (const Parsed p = parse_arguments(app, "hint", args, error); p != Parsed::kOk) {
    return p == Parsed::kHelp ? 0 : usage_error(error);
  }
  int level = 1;
  if (app.count("--level")) {
    try {
      std::size_t used = 0;
      level = std::stoi(level_text, &used);
      if (used != level_text.size()) throw std::invalid_argument(level_text);
    } catch (const std::exception&) {
      return usage_error("--level needs a number, e.g. --level 2 (got '" + level_text + "')");
    }
  }
  if (names.size() != 1) return usage_error("hint needs exactly one lesson, e.g. ./bnkit hint 01");
  const auto lessons = select_lessons(names);
  if (!lessons) return 2;
  const Lesson& lesson = lessons->front();
  const std::vector<std::string> hints = read_hints(lesson);
  if (hints.empty()) {
    std::cerr << "bnkit: lesson " << lesson.id << " has no hints (lessons/" << lesson.id << "/hints.md)\n";
    return 1;
  }
  const int count = static_cast<int>(hints.size());
  if (level < 1 || level > count) {
    return usage_error("lesson " + lesson.number + " has hint levels 1 to " + std::to_string(count) +
                       ", not " + std::to_string(level));
  }
  const Style style;
  std::cout << style.bold(lesson.title + " · hint " + std::to_string(level) + " of " + std::to_string(count))
            << "\n\n" << hints[static_cast<std::size_t>(level - 1)] << "\n";
  if (level < count) {
    std::cout << style.dim("Still stuck? ./bnkit hint " + lesson.number + " --level " + std::to_string(level + 1))
              << "\n";
  } else {
    std::cout << style.dim("That was the last hint. Once it passes, compare with solutions/" + lesson.id + "/.")
              << "\n";
  }
  return 0;
}

}  // namespace bnkit::cli
