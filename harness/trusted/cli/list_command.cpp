// bnkit list: the lessons, in order, with the status of the last grading run.
#include "arguments.hpp"
#include "commands.hpp"
#include "lesson_args.hpp"
#include "paths.hpp"
#include "terminal.hpp"

#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

namespace bnkit::cli {

int list_command(const Args& args) {
  CLI::App app{"The lessons, their points, and where you are."};
  setup_parser(app, "list");
  std::string error;
  if (const Parsed p = parse_arguments(app, "list", args, error); p != Parsed::kOk) {
    return p == Parsed::kHelp ? 0 : usage_error(error);
  }
  const auto lessons = select_lessons({});
  if (!lessons) return 2;
  std::map<std::string, std::string> status;
  std::ifstream in(build_dir() + "/grades/status.tsv");
  for (std::string line; std::getline(in, line);) {
    std::istringstream row(line);
    std::string id, state, earned, possible;
    std::getline(row, id, '\t');
    std::getline(row, state, '\t');
    std::getline(row, earned, '\t');
    std::getline(row, possible, '\t');
    status[id] = state + (possible.empty() || possible == "0" ? "" : " (" + earned + "/" + possible + ")");
  }
  const Style style;
  std::cout << style.bold("bnkit lessons") << "\n\n";
  for (const Lesson& l : *lessons) {
    const auto it = status.find(l.id);
    const std::string state = it == status.end() ? "not graded yet" : it->second;
    std::cout << "  " << l.title << "\n      " << style.dim("lessons/" + l.id + "/" + l.topic + ".cpp · " + state)
              << "\n";
  }
  std::cout << "\nGrade with ./bnkit grade [LESSON], e.g. ./bnkit grade " << lessons->front().number
            << "; hints with ./bnkit hint LESSON.\n";
  return 0;
}

}  // namespace bnkit::cli
