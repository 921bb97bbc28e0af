// bnkit-cli: what ./bnkit runs once the build is configured.
#include "commands.hpp"

#include <iostream>
#include <map>

namespace {

constexpr const char* kUsage = R"(bnkit: Batch Normalization, one lesson at a time.

Usage:
  ./bnkit grade [LESSON...]       build and grade your lessons (all when none named)
        --reference               grade the reference solutions instead
        --strict                  exit non-zero unless every graded test passes
        --verbose                 show every failure, not only the next lesson's
        --json FILE               also write the results as JSON to FILE
        --timeout SECONDS         time limit per call into your code (default 10)
        --hidden                  instructor mode: add the hidden tests (needs solutions/)
        --seed N                  with --hidden: reproduce a run's hidden inputs
        --sandbox full|basic      force a sandbox level (default: the strongest that works)
  ./bnkit list                    the lessons and where you are
  ./bnkit hint LESSON [--level N] hints, level 1 first
  ./bnkit test                    the kit's own test suite (for kit developers and CI)
  ./bnkit bench LESSON            time your code beside the reference (lesson 06; shown, not graded)
  ./bnkit bench capstone          the reference capstone against PyTorch: seconds per epoch, accuracy, ratio
        --epochs N --seeds K       (default 10 epochs, 1 seed); --data DIR; --no-torch: bnkit alone
  ./bnkit capstone                train the notes' MLP with and without your BatchNorm on Fashion-MNIST:
                                  a table per epoch, OUT/capstone.csv and plots (.png, .svg)
        --reference               with the reference solutions (see the result before you finish)
        --experiment NAME         one experiment: lr, init, batch, placement, eval, dropout, decay
        --epochs N                epochs per run (default 5; experiments have their own)
        --batch-size B --lr X     the recipe (default batch 32, lr 0.1)
        --seed S                  initial weights, Dropout masks and shuffles (default 0)
        --threads T               runs that train at once, one core each (default 1)
        --out DIR                 where the CSV and plots go (default build/capstone)
        --data DIR                any folder of IDX files (e.g. MNIST; default Debian's Fashion-MNIST)
        --train-limit N           train on the first N images only (also --test-limit N)

LESSON is a number (01 or 1) or a name (01_batch_statistics or batch_statistics).
)";

}  // namespace


int main(int argc, char** argv) {
  using namespace bnkit::cli;
  const std::map<std::string, int (*)(const Args&)> commands = {
      {"grade", grade_command}, {"list", list_command}, {"hint", hint_command}, {"test", test_command},
      {"bench", bench_command}, {"capstone", capstone_command}};
  if (argc < 2 || std::string(argv[1]) == "help" || std::string(argv[1]) == "--help" ||
      std::string(argv[1]) == "-h") {
    std::cout << kUsage;
    return argc < 2 ? 2 : 0;
  }
  const auto it = commands.find(argv[1]);
  if (it == commands.end()) {
    std::cerr << "bnkit: unknown command '" << argv[1] << "'. Valid commands: grade, list, hint, test, bench, capstone\n\n"
              << kUsage;
    return 2;
  }
  const Args args(argv + 2, argv + argc);  // each command parses its own (CLI11, arguments.hpp), --help too
  try {
    return it->second(args);
  } catch (const std::exception& e) {
    std::cerr << "bnkit: " << e.what() << "\n";
    return 1;
  }
}
